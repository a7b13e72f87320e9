/**
 * `deno task ingest`: live Kraken trades (WS v2), caught up through REST from the checkpoint or
 * `--from`, deduplicated, turned into candles and feature rows in both stores; checkpointed,
 * optionally recorded. With `--bus kafka`, the same stages run over Kafka (`--stage`).
 */
import { ingestConfig } from "../src/config.ts";
import { isoTime } from "../src/domain/time.ts";
import type { Trade } from "../src/domain/trade.ts";
import { consumersOnly, runConsumersOnly, runOnBus } from "../src/bus/bus.ts";
import { KrakenRest } from "../src/sources/kraken/rest_client.ts";
import { liveTrades } from "../src/sources/kraken/live_trades.ts";
import type { Cursor } from "../src/sources/kraken/rest_trades.ts";
import { openFeatureStores } from "../src/stores/feature_stores.ts";
import { claimMarket, exchangeMarket } from "../src/stores/market_file.ts";
import { openTradeJob, restoreEngine } from "../src/stores/trade_job.ts";
import { tradeSink } from "../src/stores/trade_sink.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";
import { livePredictions } from "../src/serve/live_setup.ts";
import { predictingUpsert } from "../src/serve/live_predictions.ts";
import { LiveRows } from "../src/system/live_rows.ts";

await runTask("ingest", async ({ signal }) => {
  const cfg = ingestConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const log = logger("ingest");
  const kafka = cfg.bus === "kafka";
  if (consumersOnly(cfg)) {
    // No exchange connection and no trade checkpoint: the stage reads the bus.
    return await runConsumersOnly(cfg, () => openFeatureStores(cfg.dataDir), logger("bus"), signal);
  }
  await claimMarket(cfg.dataDir, exchangeMarket(cfg.restUrl, cfg.wsUrl));
  const job = await openTradeJob(cfg.dataDir, `ingest ${cfg.restUrl}`, cfg.record, log);
  const engine = restoreEngine(job, cfg.windows, cfg.graceMs);

  const cursors = new Map<string, Cursor>();
  for (const pair of cfg.pairs) {
    const saved = job.state.pairs[pair];
    if (saved) {
      cursors.set(pair, { ts: saved.ts, tradeId: saved.trade_id });
      log.info(
        `${pair}: resuming after trade ${saved.trade_id ?? "-"} (${isoTime(saved.ts)})` +
          (cfg.from !== undefined ? "; --from applies to a first run only" : ""),
      );
    } else if (cfg.from !== undefined) {
      cursors.set(pair, { ts: cfg.from, tradeId: null });
      log.info(`${pair}: catching up from ${isoTime(cfg.from)}`);
    }
  }

  const rest = new KrakenRest({ baseUrl: cfg.restUrl, rate: cfg.restRate, log: logger("kraken-rest") });
  const { stream, stats } = liveTrades({
    pairs: cfg.pairs,
    rest,
    wsUrl: cfg.wsUrl,
    cursors,
    idleTimeoutMs: cfg.wsTimeoutMs,
    signal,
    log: logger("kraken-ws"),
  });

  let written = 0, rows = 0, late = engine.late;
  let lastReport = { at: Date.now(), written: 0 };
  const report = () => {
    const now = Date.now();
    const rate = (written - lastReport.written) / Math.max(0.001, (now - lastReport.at) / 1000);
    lastReport = { at: now, written };
    const pairs = cfg.pairs.map((p) => {
      const s = job.state.pairs[p];
      return s ? `${p} ${isoTime(s.ts)} #${s.trade_id ?? "-"}` : `${p} -`;
    }).join(", ");
    log.info(
      `${written} trades (${rate.toFixed(1)}/s) · ${
        kafka ? "to Kafka" : `${rows} feature rows`
      } · ${pairs} · ` +
        `connections ${stats.connections} · from REST ${stats.restTrades} · holes ${stats.gaps} · ` +
        `duplicates dropped ${stats.duplicates} · malformed ${stats.malformed}` +
        (kafka ? "" : ` · late ${engine.late}`) + (stats.missing ? ` · MISSING ${stats.missing}` : ""),
    );
  };
  const onFlush = (trades: readonly unknown[], newRows: readonly unknown[]) => {
    written += trades.length;
    rows += newRows.length;
    if (engine.late > late) {
      log.warn(`${engine.late - late} trades arrived after their window had closed (late: ${engine.late})`);
      late = engine.late;
    }
  };
  const sink = { checkpoint: job.checkpoint, state: job.state, recorder: job.recorder, onFlush };
  const timer = setInterval(report, cfg.statsEveryMs);
  try {
    if (kafka) {
      await runOnBus(
        cfg,
        () => openFeatureStores(cfg.dataDir),
        (publish) => stream.pipeTo(tradeSink({ ...sink, publish })),
        { bounded: false, log: logger("bus"), signal },
      );
    } else {
      const stores = await openFeatureStores(cfg.dataDir);
      const live = await livePredictions(cfg, stores, signal);
      // The market's clock is its latest trade: a replayed market's dates are in the past.
      let marketNow = 0;
      const liveRows = new LiveRows(() => stats.live, () => marketNow);
      const clocked = stream.pipeThrough(
        new TransformStream<Trade, Trade>({
          transform(trade, controller) {
            marketNow = trade.ts;
            liveRows.observe();
            controller.enqueue(trade);
          },
        }),
      );
      try {
        await clocked.pipeTo(tradeSink({
          ...sink,
          // Live: open windows stay in the checkpoint and continue on restart instead of closing early.
          features: {
            engine,
            stores: predictingUpsert(stores, live, (row) => liveRows.includes(row)),
            flushOnEnd: false,
            idle: { isLive: () => stats.live, everyMs: 1000 },
          },
        }));
      } finally {
        stores.close();
      }
    }
  } finally {
    clearInterval(timer);
    job.recorder?.close();
  }
  report();
  log.info(
    `stopped; checkpoint saved to ${job.checkpoint.path}${
      cfg.record ? `, trades recorded in ${cfg.record}` : ""
    }`,
  );
});
