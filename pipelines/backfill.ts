/**
 * `deno task backfill`: trade history from Kraken REST between `--from` and `--to`, resumable from
 * its checkpoint; or the trades of a history file (`--file`).
 */
import { type BackfillConfig, backfillConfig } from "../src/config.ts";
import type { Trade } from "../src/domain/trade.ts";
import { isoTime } from "../src/domain/time.ts";
import { tradeFile } from "../src/sources/files/trade_file.ts";
import { KrakenRest } from "../src/sources/kraken/rest_client.ts";
import { type Cursor, tradesAfter } from "../src/sources/kraken/rest_trades.ts";
import { openTradeJob } from "../src/stores/trade_job.ts";
import { tradeSink } from "../src/stores/trade_sink.ts";
import { TradeRecorder } from "../src/stores/trade_recorder.ts";
import { sleep } from "../src/util/abortable.ts";
import { runTask } from "../src/util/cli.ts";
import { type Logger, logger, setLogLevel } from "../src/util/log.ts";
import { Progress } from "../src/util/progress.ts";

await runTask("backfill", async ({ signal }) => {
  const cfg = backfillConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const log = logger("backfill");
  return cfg.file !== undefined ? await fromFile(cfg, cfg.file, log) : await fromRest(cfg, log, signal);
});

async function fromFile(cfg: BackfillConfig, path: string, log: Logger): Promise<number> {
  if (cfg.pairs.length > 1) log.warn("--pairs names more than one pair; a file's own pair column wins");
  const { stream, stats } = await tradeFile(path, {
    format: cfg.format,
    pair: cfg.pairs[0],
    skipBadLines: cfg.skipBadLines,
    log,
  });
  // A file is read whole each time, so its record is rewritten rather than appended to.
  const recorder = cfg.record ? (await TradeRecorder.open(cfg.record, 0)).recorder : undefined;
  let count = 0;
  const from = cfg.from ?? -Infinity, to = cfg.to ?? Infinity;
  const inRange = new TransformStream<Trade, Trade>({
    transform(t, c) {
      if (t.ts >= from && t.ts < to) c.enqueue(t);
    },
  });
  await stream.pipeThrough(inRange).pipeTo(
    new WritableStream({
      async write(t) {
        count++;
        await recorder?.write([t]);
      },
      close: () => recorder?.close(),
    }),
  );
  log.info(
    `${path} (${stats.format}): ${stats.lines} lines, ${stats.trades} trades, ${count} in range` +
      (stats.badLines ? `, ${stats.badLines} bad lines skipped` : "") +
      (cfg.record ? `; recorded in ${cfg.record}` : ""),
  );
  return 0;
}

async function fromRest(cfg: BackfillConfig, log: Logger, signal: AbortSignal): Promise<number> {
  const from = cfg.from as number;
  const range = `${isoTime(from)}..${cfg.to === undefined ? "" : isoTime(cfg.to)}`;
  const job = await openTradeJob(
    cfg.dataDir,
    `backfill ${cfg.restUrl} ${cfg.pairs.join(",")} ${range}`,
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
  const rest = new KrakenRest({ baseUrl: cfg.restUrl, rate: cfg.restRate, log: logger("kraken-rest") });
  const end = cfg.to ?? await rest.serverTime(signal);
  const progress = new Progress(`backfill`, log);
  const started = Date.now();
  let count = 0;

  async function* trades(): AsyncGenerator<Trade> {
    for (const [i, pair] of cfg.pairs.entries()) {
      const saved = job.state.pairs[pair];
      const cursor: Cursor = saved ? { ts: saved.ts, tradeId: saved.trade_id } : { ts: from, tradeId: null };
      const show = (force = false) =>
        progress.update({
          fraction: (i + (cursor.ts - from) / Math.max(1, end - from)) / cfg.pairs.length,
          detail: `${pair} ${isoTime(cursor.ts)} · ${count.toLocaleString("en-US")} trades`,
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
    await ReadableStream.from(trades()).pipeTo(
      tradeSink({ checkpoint: job.checkpoint, state: job.state, recorder: job.recorder }),
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
    `done: ${count} new trades in ${
      seconds.toFixed(1)
    } s (${perPair} in all), ${rest.stats.requests} requests, ` +
      `${rest.stats.throttled} throttled` + (cfg.record ? `; recorded in ${cfg.record}` : ""),
  );
  return 0;
}
