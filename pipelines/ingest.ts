/**
 * `deno task ingest`: live Kraken trades (WS v2), caught up through REST from the checkpoint or
 * `--from`, through candles and indicators into both stores, with predictions for the rows that
 * close live; checkpointed, optionally recorded. With `--bus kafka`, the same stages run over
 * Kafka (`--stage`): this process publishes the trades.
 */
import { checkOutputFile, ingestConfig } from "../src/config.ts";
import { consumersOnly, type Publisher, runConsumersOnly, runOnBus } from "../src/bus/bus.ts";
import { IngestReport } from "../src/jobs/ingest_report.ts";
import { ingestCursors } from "../src/jobs/live_cursors.ts";
import { krakenTrades } from "../src/jobs/live_source.ts";
import { livePredictions } from "../src/serve/live_setup.ts";
import { candles, cut, dedupe, indicators, persist, predict } from "../src/stages/mod.ts";
import { openFeatureStores } from "../src/stores/feature_stores.ts";
import { claimMarket, exchangeMarket } from "../src/stores/market_file.ts";
import { lastTradeIds, openTradeJob, restoreFeatures } from "../src/stores/trade_job.ts";
import { liveRowsOnTradeTime } from "../src/system/live_rows.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("ingest", async ({ signal }) => {
  const cfg = ingestConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const log = logger("ingest");
  const openStores = () => openFeatureStores(cfg.dataDir);
  if (consumersOnly(cfg)) return await runConsumersOnly(cfg, openStores, logger("bus"), signal);
  if (cfg.record !== undefined) await checkOutputFile("record", cfg.record);
  await claimMarket(cfg.dataDir, exchangeMarket(cfg.restUrl, cfg.wsUrl));
  const kafka = cfg.bus === "kafka";
  // Before the checkpoint and the record: an ingest already running on this data dir holds the
  // stores, and opening its job would cut the record lines it wrote since its last checkpoint.
  const stores = kafka ? undefined : await openStores();
  using _stores = { [Symbol.dispose]: () => stores?.close() };
  const job = await openTradeJob(cfg.dataDir, `ingest ${cfg.restUrl}`, cfg.record, log);
  const features = restoreFeatures(job, cfg.windows, cfg.graceMs);
  const { stream, stats } = krakenTrades(cfg, ingestCursors(job.state, cfg.pairs, cfg.from, log), signal);
  const report = new IngestReport(cfg, job.state, stats, kafka ? undefined : features.candles, log);
  const sink = { ...job, onFlush: report.onFlush };
  const seen = lastTradeIds(job.state);
  try {
    if (stores === undefined) {
      // Trades only, no end markers: a live series continues after a restart.
      const publish = (bus: Publisher) =>
        stream.pipeThrough(cut()).pipeThrough(dedupe(seen)).pipeTo(
          persist({ ...sink, publish: { trades: bus.trades } }),
        );
      await runOnBus(cfg, openStores, publish, { bounded: false, log: logger("bus"), signal });
    } else {
      // The models serve until the last batch is written, not merely until Ctrl-C.
      const models = new AbortController();
      const predictor = await livePredictions(cfg, stores, models.signal);
      using _models = { [Symbol.dispose]: () => models.abort() };
      const idle = { isLive: () => stats.live, everyMs: 1000 };
      const live = liveRowsOnTradeTime(idle.isLive);
      // Live: open windows stay in the checkpoint and continue on restart instead of closing early.
      await stream
        .pipeThrough(cut({ idle, observe: live.observe }))
        .pipeThrough(dedupe(seen))
        .pipeThrough(candles(features.candles, { flushOnEnd: false }))
        .pipeThrough(indicators(features.indicators))
        .pipeThrough(predict(predictor, live.rows))
        .pipeTo(persist({ ...sink, stores, predictions: predictor }));
    }
  } finally {
    report.stop();
    job.recorder?.close();
  }
  const recorded = cfg.record ? `, trades recorded in ${cfg.record}` : "";
  log.info(`stopped; checkpoint saved to ${job.checkpoint.path}${recorded}`);
});
