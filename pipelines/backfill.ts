/**
 * `deno task backfill`: history through the same candles and indicators as live ingest, into
 * both stores. From Kraken REST between `--from` and `--to`, resumable from its checkpoint; or
 * from a trade file or a candle file (`--file`).
 */
import { type BackfillConfig, backfillConfig, checkInputFile, ConfigError } from "../src/config.ts";
import type { Trade } from "../src/domain/trade.ts";
import { isoTime } from "../src/domain/time.ts";
import { candleFile } from "../src/sources/files/candle_file.ts";
import { DamagedFileError } from "../src/sources/files/gunzip.ts";
import { CANDLE_FORMATS, type CandleFormat } from "../src/sources/files/candle_formats.ts";
import { firstLine, tradeFile } from "../src/sources/files/trade_file.ts";
import { detectFormat, type TradeFormat } from "../src/sources/files/trade_formats.ts";
import { KrakenRest } from "../src/sources/kraken/rest_client.ts";
import { type Cursor, tradesAfter } from "../src/sources/kraken/rest_trades.ts";
import { openFeatureStores } from "../src/stores/feature_stores.ts";
import { openTradeJob, restoreEngine } from "../src/stores/trade_job.ts";
import { tradeSink, type TradeSinkOptions } from "../src/stores/trade_sink.ts";
import { DuckDbFeatureStore } from "../src/stores/offline_duckdb.ts";
import { consumersOnly, runConsumersOnly, runOnBus } from "../src/bus/bus.ts";
import { TradeRecorder } from "../src/stores/trade_recorder.ts";
import { FeatureEngine, initialFeatureState } from "../src/transforms/features.ts";
import type { FeatureRow } from "../src/domain/feature_row.ts";
import { sleep } from "../src/util/abortable.ts";
import { runTask } from "../src/util/cli.ts";
import { type Logger, logger, setLogLevel } from "../src/util/log.ts";
import { Progress } from "../src/util/progress.ts";

await runTask("backfill", async ({ signal }) => {
  const cfg = backfillConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const log = logger("backfill");
  if (consumersOnly(cfg)) {
    await runConsumersOnly(cfg, () => openFeatureStores(cfg.dataDir), logger("bus"), signal);
    return 0;
  }
  if (cfg.file === undefined) return await fromRest(cfg, log, signal);
  await checkInputFile("file", cfg.file);
  try {
    const format = cfg.format ?? detectFormat(cfg.file, await firstLine(cfg.file)) ?? undefined;
    if ((CANDLE_FORMATS as readonly string[]).includes(format ?? "")) {
      if (cfg.bus === "kafka") {
        throw new ConfigError("candle files load through the embedded pipeline; drop --bus kafka");
      }
      return await fromCandleFile(cfg, cfg.file, format as CandleFormat, log);
    }
    return await fromTradeFile(cfg, cfg.file, format as TradeFormat | undefined, log, signal);
  } catch (e) {
    if (e instanceof DamagedFileError) throw new Error(`--file: ${e.message}`, { cause: e });
    throw e;
  }
});

/** Rows per series in the offline store, when this process can read it. */
async function summary(cfg: BackfillConfig, log: Logger): Promise<void> {
  if (cfg.bus === "kafka" && cfg.stage !== "all") return;
  const store = await DuckDbFeatureStore.open(`${cfg.dataDir}/offline.duckdb`, { readOnly: true });
  try {
    for (const c of await store.counts()) {
      log.info(
        `offline store: ${c.pair} ${c.window}: ${c.rows} rows, ${isoTime(c.first)} .. ${isoTime(c.last)}`,
      );
    }
  } finally {
    store.close();
  }
}

/**
 * A bounded trade stream into the embedded feature pipeline, or onto the bus (with an end marker
 * per pair, then waiting for the stages when they run here).
 */
async function drain(
  cfg: BackfillConfig,
  source: ReadableStream<Trade>,
  sink: Omit<TradeSinkOptions, "features" | "publish">,
  engine: FeatureEngine,
  signal: AbortSignal,
): Promise<void> {
  if (cfg.bus === "kafka") {
    await runOnBus(
      cfg,
      () => openFeatureStores(cfg.dataDir),
      (publish) => source.pipeTo(tradeSink({ ...sink, publish, endOnClose: true })),
      { bounded: true, log: logger("bus"), signal },
    );
    return;
  }
  const stores = await openFeatureStores(cfg.dataDir);
  try {
    await source.pipeTo(tradeSink({ ...sink, features: { engine, stores } }));
  } finally {
    stores.close();
  }
}

async function fromTradeFile(
  cfg: BackfillConfig,
  path: string,
  format: TradeFormat | undefined,
  log: Logger,
  signal: AbortSignal,
) {
  const { stream, stats } = await tradeFile(path, {
    format,
    pair: cfg.pairs[0],
    skipBadLines: cfg.skipBadLines,
    log,
  });
  if (stats.format === "kraken-trades" && cfg.pairs.length > 1) {
    log.warn(`a kraken-trades file names no pair; its trades are read as ${cfg.pairs[0]}`);
  }
  // A file is read whole each time, so its record is rewritten, and its rows upserted again.
  const recorder = cfg.record ? (await TradeRecorder.open(cfg.record, 0)).recorder : undefined;
  const engine = new FeatureEngine(initialFeatureState({ windows: cfg.windows, graceMs: cfg.graceMs }));
  const from = cfg.from ?? -Infinity, to = cfg.to ?? Infinity;
  // A row of another pair would start a series nobody asked for; it is counted, not loaded.
  const wanted = new Set(cfg.pairs);
  const otherPairs = new Map<string, number>();
  let rows = 0, trades = 0;
  const progress = new Progress("backfill", log);
  const started = Date.now();
  try {
    const inRange = stream.pipeThrough(
      new TransformStream<Trade, Trade>({
        transform: (t, c) => {
          if (wanted.size > 0 && !wanted.has(t.pair)) {
            otherPairs.set(t.pair, (otherPairs.get(t.pair) ?? 0) + 1);
          } else if (t.ts >= from && t.ts < to) c.enqueue(t);
        },
      }),
    );
    await drain(
      cfg,
      inRange,
      {
        state: { version: 1, job: `file ${path}`, pairs: {}, updated_at: "" },
        recorder,
        batchSize: 20_000,
        flushMs: 1000,
        onFlush: (batch, r) => {
          rows += r.length;
          trades += batch.length;
          const last = batch.at(-1);
          progress.update({
            fraction: last && Number.isFinite(from) && Number.isFinite(to)
              ? (last.ts - from) / (to - from)
              : undefined,
            detail: `line ${stats.lines.toLocaleString("en-US")}${last ? ` · ${isoTime(last.ts)}` : ""} · ` +
              `${trades.toLocaleString("en-US")} trades` +
              (cfg.bus === "kafka" ? " published" : ` · ${rows} rows`),
            rate: trades / Math.max(0.001, (Date.now() - started) / 1000),
          });
        },
      },
      engine,
      signal,
    );
    progress.done();
    log.info(
      `${path} (${stats.format}): ${stats.lines} lines, ${stats.records} trades → ` +
        (cfg.bus === "kafka" ? "Kafka" : `${rows} feature rows`) +
        (engine.late ? `, ${engine.late} late trades not counted` : "") +
        (stats.badLines ? `, ${stats.badLines} bad lines skipped` : "") +
        (cfg.record ? `; recorded in ${cfg.record}` : ""),
    );
    if (otherPairs.size > 0) {
      const skipped = [...otherPairs.values()].reduce((a, b) => a + b, 0);
      log.warn(
        `${skipped} trades of pairs not in --pairs skipped (${
          [...otherPairs].slice(0, 8).map(([p, n]) => `${p} ${n}`).join(", ")
        }${otherPairs.size > 8 ? ", ..." : ""}); add them to --pairs to load them`,
      );
    }
    await summary(cfg, log);
  } finally {
    recorder?.close();
  }
  return 0;
}

async function fromCandleFile(cfg: BackfillConfig, path: string, format: CandleFormat, log: Logger) {
  if (cfg.pairs.length !== 1) throw new ConfigError(`--pairs must name the one pair of ${path}`);
  const window = cfg.windows[0] as (typeof cfg.windows)[number];
  const { stream, stats } = await candleFile(path, {
    format,
    pair: cfg.pairs[0] as string,
    window,
    skipBadLines: cfg.skipBadLines,
    log,
  });
  const stores = await openFeatureStores(cfg.dataDir);
  const engine = new FeatureEngine(initialFeatureState({ windows: cfg.windows, graceMs: cfg.graceMs }));
  const from = cfg.from ?? -Infinity, to = cfg.to ?? Infinity;
  let pending: FeatureRow[] = [];
  let rows = 0;
  try {
    for await (const candle of stream) {
      if (candle.window_start < from || candle.window_start >= to) continue;
      pending.push(...engine.stepCandle(candle));
      if (pending.length >= 5_000) {
        await stores.upsert(pending);
        rows += pending.length;
        pending = [];
      }
    }
    pending.push(...engine.flush());
    await stores.upsert(pending);
    rows += pending.length;
    log.info(
      `${path} (${format}, ${window} candles): ${stats.records} candles → ${rows} feature rows` +
        (engine.late ? `, ${engine.late} out-of-order candles skipped` : "") +
        (stats.badLines ? `, ${stats.badLines} bad lines skipped` : ""),
    );
  } finally {
    stores.close();
  }
  await summary(cfg, log);
  return 0;
}

async function fromRest(cfg: BackfillConfig, log: Logger, signal: AbortSignal): Promise<number> {
  const from = cfg.from as number;
  const range = `${isoTime(from)}..${cfg.to === undefined ? "" : isoTime(cfg.to)}`;
  const job = await openTradeJob(
    cfg.dataDir,
    `backfill ${cfg.restUrl} ${cfg.pairs.join(",")} ${range} ${cfg.windows.join(",")}`,
    cfg.record,
    log,
    cfg.restart,
  );
  if (job.state.done) {
    log.info(
      `backfill of ${
        cfg.pairs.join(", ")
      } ${range} is already complete (${job.checkpoint.path}); --restart redoes it`,
    );
    job.recorder?.close();
    return 0;
  }
  if (job.resumed) log.info(`resuming from ${job.checkpoint.path}`);
  const engine = restoreEngine(job, cfg.windows, cfg.graceMs);
  const rest = new KrakenRest({ baseUrl: cfg.restUrl, rate: cfg.restRate, log: logger("kraken-rest") });
  const progress = new Progress(`backfill`, log);
  const started = Date.now();
  let count = 0, rows = 0;

  async function* trades(): AsyncGenerator<Trade> {
    const end = cfg.to ?? await rest.serverTime(signal);
    for (const [i, pair] of cfg.pairs.entries()) {
      const saved = job.state.pairs[pair];
      const cursor: Cursor = saved ? { ts: saved.ts, tradeId: saved.trade_id } : { ts: from, tradeId: null };
      const show = (force = false) =>
        progress.update({
          fraction: (i + (cursor.ts - from) / Math.max(1, end - from)) / cfg.pairs.length,
          detail: `${pair} ${isoTime(cursor.ts)} · ${count.toLocaleString("en-US")} trades · ${rows} rows`,
          rate: count / Math.max(0.001, (Date.now() - started) / 1000),
        }, force);
      for (;;) {
        const why = yield* counted(
          tradesAfter(rest, pair, cursor, { to: cfg.to, signal, onPage: () => show() }),
        );
        if (why !== "head" || cfg.to === undefined) break;
        const now = await rest.serverTime(signal);
        if (now >= cfg.to) break;
        show(true);
        log.info(`${pair}: the exchange is at ${isoTime(now)}, before --to; waiting for more trades`);
        await sleep(Math.min(10_000, Math.max(1000, cfg.to - now)), signal);
      }
      show(true);
    }
  }

  async function* counted<R>(it: AsyncGenerator<Trade, R>): AsyncGenerator<Trade, R> {
    for (;;) {
      const r = await it.next();
      if (r.done) return r.value;
      count++;
      yield r.value;
    }
  }

  let interrupted = false;
  try {
    await drain(
      cfg,
      ReadableStream.from(trades()),
      {
        checkpoint: job.checkpoint,
        state: job.state,
        recorder: job.recorder,
        onFlush: (_, r) => rows += r.length,
      },
      engine,
      signal,
    );
  } catch (e) {
    if (!signal.aborted) throw e;
    interrupted = true;
  } finally {
    progress.done();
    job.recorder?.close();
  }
  const seconds = (Date.now() - started) / 1000;
  if (interrupted || signal.aborted) {
    log.warn(`interrupted after ${count} trades; run the same command again to resume`);
    return 130;
  }
  job.state.done = true;
  await job.checkpoint.save(job.state);
  const perPair = cfg.pairs.map((p) => `${p} ${job.state.pairs[p]?.trades ?? 0}`).join(", ");
  log.info(
    `done: ${count} new trades → ${cfg.bus === "kafka" ? "Kafka" : `${rows} feature rows`} in ${
      seconds.toFixed(1)
    } s ` +
      `(${perPair} trades in all), ${rest.stats.requests} requests, ${rest.stats.throttled} throttled` +
      (engine.late ? `, ${engine.late} late trades` : "") + (cfg.record ? `; recorded in ${cfg.record}` : ""),
  );
  await summary(cfg, log);
  return 0;
}
