/**
 * The whole system in one process, as `start` and `demo` run it: live ingest (caught up through
 * REST from the checkpoint, or from `historyMs` ago on a first run), streaming predictions, news
 * when configured, the API and dashboard, and a trainer that makes the first model once the
 * history is in. Everything shares one pair of stores. While the history loads or the first
 * model trains, /predict answers 503 with what is happening and the dashboard says it too.
 * The data dir holds one market (src/stores/market_file.ts); /health, the dashboard and the
 * startup line name it, and ages are measured on its clock (the simulator's, in the demo).
 * Shutdown (the signal) flushes the open write, saves the checkpoint and closes the stores.
 */
import type { Window } from "../domain/candle.ts";
import { isoTime } from "../domain/time.ts";
import type { NewsItem } from "../domain/news.ts";
import { buildDataset } from "../model/dataset.ts";
import { openPredictors } from "../model/predictor.ts";
import { Registry } from "../model/registry.ts";
import { trainAndRegister } from "../model/train.ts";
import { createApp, loadChartScript, type SystemStatus } from "../serve/app.ts";
import { listen } from "../serve/http_listener.ts";
import { Metrics } from "../serve/metrics.ts";
import { LivePredictions, predictingUpsert } from "../serve/live_predictions.ts";
import { KrakenRest } from "../sources/kraken/rest_client.ts";
import { liveTrades } from "../sources/kraken/live_trades.ts";
import type { Cursor } from "../sources/kraken/rest_trades.ts";
import { openFeatureStores } from "../stores/feature_stores.ts";
import { claimMarket, type Market } from "../stores/market_file.ts";
import { KvPredictionStore } from "../stores/prediction_store.ts";
import { SeenIds } from "../stores/seen_ids.ts";
import { openTradeJob, restoreEngine } from "../stores/trade_job.ts";
import { tradeSink } from "../stores/trade_sink.ts";
import { BatchStream } from "../util/batches.ts";
import { isAbort } from "../util/abortable.ts";
import { logger } from "../util/log.ts";
import { Progress } from "../util/progress.ts";
import { LiveRows } from "./live_rows.ts";

export interface SystemOptions {
  pairs: string[];
  windows: Window[];
  graceMs: number;
  horizon: number;
  port: number;
  host: string;
  dataDir: string;
  modelsDir: string;
  wsUrl: string;
  restUrl: string;
  restRate: number;
  wsTimeoutMs: number;
  /** First run: catch up from this long ago (the cold start's history). */
  historyMs: number;
  /** First run: catch up from this time instead (the demo: the start of its file). */
  from?: number | undefined;
  /** Warm rows a series needs before its first model is trained. */
  minRowsToTrain: number;
  trainBudget: number;
  maxFeatureAgeS?: number | undefined;
  news?: { token: string; apiUrl: string; model: string; pollMs: number } | undefined;
  /** The market followed (Kraken, or the simulator replaying a file): recorded in the data dir, named everywhere. */
  market: Market;
  /** The market's clock, epoch ms (the simulator's in the demo). @default Date.now */
  now?: (() => number) | undefined;
  /** A bounded replay: resolves with its last trade's time once the simulator has passed it. */
  replayEnd?: Promise<number> | undefined;
  /** The ingest checkpoint's name (default `ingest <rest url>`, shared with `deno task ingest`). */
  job?: string | undefined;
}

/** What /health reports as `system` under `start` and `demo`, and the dashboard shows. */
export interface SystemState extends SystemStatus {
  /** The market's description: Kraken, or which file (or SYNTHETIC market) the simulator replays. */
  market: string;
  /** When a replay has passed its last trade: that trade's time (nothing more will arrive). */
  replay_ended_at: string | null;
}

export async function runSystem(o: SystemOptions, signal: AbortSignal): Promise<void> {
  const log = logger("system");
  const window = o.windows[0]!;
  const now = o.now ?? Date.now;
  let status: SystemStatus = { phase: "starting", detail: "opening the stores" };
  let replayEndedAt: string | null = null;
  const setStatus = (phase: SystemStatus["phase"], detail: string) => {
    if (status.phase !== phase || status.detail !== detail) log.info(`${phase}: ${detail}`);
    status = { phase, detail };
  };
  const state = (): SystemState => ({
    ...status,
    market: o.market.description,
    replay_ended_at: replayEndedAt,
  });

  await claimMarket(o.dataDir, o.market);
  const stores = await openFeatureStores(o.dataDir);
  const registry = new Registry(o.modelsDir);
  const predictors = await openPredictors(registry, o.pairs, window, o.horizon, {
    refreshMs: 5000,
    signal,
    log: logger("model"),
  });
  const predictions = new KvPredictionStore(stores.online.kv);
  const live = new LivePredictions(predictors, stores.online, predictions, stores.offline, logger("predict"));

  const chartScript = await loadChartScript(log);
  const metrics = new Metrics();
  const app = createApp({
    metrics,
    online: stores.online,
    predictions,
    registry,
    predictors,
    maxFeatureAgeS: o.maxFeatureAgeS,
    log: logger("http"),
    chartScript,
    status: state,
    now,
  });
  const server = await listen(app.fetch, {
    port: o.port,
    hostname: o.host,
    signal,
    onOwnAnswer: (status) => metrics.serverAnswer(status),
    onTimeout: (kind) => metrics.timedOut(kind),
  });
  const host = o.host === "0.0.0.0" ? "localhost" : o.host;
  log.info(
    `dashboard at http://${host}:${server.port}/ · market: ${o.market.description} · ` +
      `pairs ${o.pairs.join(", ")} ` +
      `(${o.windows.join(",")}, predicting ${o.horizon} × ${window}) · news: ${
        o.news ? `CryptoPanic every ${o.news.pollMs / 1000}s` : "off (set CRYPTOPANIC_TOKEN)"
      } · data ${o.dataDir} · models ${o.modelsDir}`,
  );

  // Ingest: the same job as `ingest` (its checkpoint continues a warm start).
  const job = await openTradeJob(o.dataDir, o.job ?? `ingest ${o.restUrl}`, undefined, logger("ingest"));
  const engine = restoreEngine(job, o.windows, o.graceMs);
  const from = o.from ?? now() - o.historyMs;
  const cursors = new Map<string, Cursor>();
  for (const pair of o.pairs) {
    const saved = job.state.pairs[pair];
    cursors.set(pair, saved ? { ts: saved.ts, tradeId: saved.trade_id } : { ts: from, tradeId: null });
    log.info(
      saved ? `${pair}: warm start after ${isoTime(saved.ts)}` : `${pair}: cold start from ${isoTime(from)}`,
    );
  }
  const catchUpFrom = Math.min(...[...cursors.values()].map((c) => c.ts));
  const rest = new KrakenRest({ baseUrl: o.restUrl, rate: o.restRate, log: logger("kraken-rest") });
  const { stream, stats } = liveTrades({
    pairs: o.pairs,
    rest,
    wsUrl: o.wsUrl,
    cursors,
    idleTimeoutMs: o.wsTimeoutMs,
    signal,
    log: logger("kraken-ws"),
  });
  const liveRows = new LiveRows(() => stats.live, now);
  o.replayEnd?.then((last) => {
    if (signal.aborted) return;
    replayEndedAt = isoTime(last);
    log.info(
      `the replay has ended: its last trade (${replayEndedAt}) has passed, no more will arrive; ` +
        `the dashboard keeps the last state (Ctrl-C stops)`,
    );
  });

  // Progress of the catch-up, then the trainer.
  const progress = new Progress("history", log);
  const trained = new Map<string, number>();
  let training = false;
  const tick = async () => {
    if (!stats.live) {
      const cursor = Math.min(...o.pairs.map((p) => job.state.pairs[p]?.ts ?? catchUpFrom));
      const fraction = (cursor - catchUpFrom) / Math.max(1, now() - catchUpFrom);
      const unreachable = rest.stats.lastError !== undefined
        ? `REST unreachable: ${rest.stats.lastError}`
        : stats.lastError !== undefined
        ? `WebSocket unreachable: ${stats.lastError}`
        : undefined;
      const detail = unreachable !== undefined
        ? `${unreachable}; retrying with backoff`
        : stats.connections === 0
        ? `connecting to ${o.wsUrl} (retrying with backoff; the log says why)`
        : `loading history through REST, at ${isoTime(cursor)} (${stats.restTrades} trades)`;
      setStatus("catching up", detail);
      progress.update({ fraction, detail, rate: stats.trades / Math.max(1, performance.now() / 1000) });
      return;
    }
    progress.done();
    if (training) return;
    const waiting = predictors.filter((p) => !p.current);
    if (waiting.length === 0) {
      setStatus("live", "predicting with the promoted models");
      return;
    }
    const counts = await stores.offline.counts();
    const notes: string[] = [];
    for (const p of waiting) {
      const rows = counts.find((c) => c.pair === p.pair && c.window === window)?.rows ?? 0;
      const tried = trained.get(p.pair);
      if (rows < o.minRowsToTrain || (tried !== undefined && rows < tried * 1.5)) {
        notes.push(
          tried === undefined
            ? `${p.pair} has ${rows} of ${o.minRowsToTrain} candles for its first model`
            : `no ${p.pair} model beat "no change" yet (retrying at ${Math.ceil(tried * 1.5)} candles)`,
        );
        continue;
      }
      training = true;
      setStatus("training", `${p.pair} ${window} on ${rows} candles`);
      try {
        const ds = await buildDataset(stores.offline, { pair: p.pair, window, horizon: o.horizon });
        const report = await trainAndRegister(ds, {
          choice: "auto",
          folds: 5,
          budget: o.trainBudget,
          seed: 1,
          registry,
          // In a Worker: the API and the ingest keep going while the model trains.
          inWorker: true,
          onStep: (m) => logger("train").info(m),
        });
        trained.set(p.pair, rows);
        log.info(
          `${p.pair}: ${report.version} ${
            report.promoted ? "promoted" : "not promoted"
          } (${report.reason}); ` +
            `skill ${(report.model.skill * 100).toFixed(2)}%`,
        );
        if (report.promoted) await p.refresh();
      } catch (e) {
        trained.set(p.pair, rows);
        log.error(`${p.pair}: training failed: ${(e as Error).message}`);
      } finally {
        training = false;
      }
    }
    if (notes.length) setStatus("live", `${notes.join("; ")}; predicting "no change" meanwhile`);
  };
  const timer = setInterval(
    () => void tick().catch((e) => log.error(`status: ${(e as Error).message}`)),
    2000,
  );

  const newsDone = o.news ? runNews(o.news, o.dataDir, stores, signal) : Promise.resolve();
  try {
    await stream.pipeThrough(liveRows.observing()).pipeTo(tradeSink({
      checkpoint: job.checkpoint,
      state: job.state,
      features: {
        engine,
        stores: predictingUpsert(stores, live, (row) => liveRows.includes(row)),
        flushOnEnd: false,
        idle: { isLive: () => stats.live, everyMs: 1000 },
      },
    }));
  } catch (e) {
    if (!isAbort(e, signal)) throw e;
  } finally {
    setStatus("stopping", "saving the checkpoint and closing the stores");
    clearInterval(timer);
    progress.done();
    await server.finished;
    await newsDone;
    for (const p of predictors) await p.close();
    stores.close();
    log.info(`stopped; ${live.made} predictions made, ${live.realised} realised this run`);
  }
}

/** News into the shared stores; a failure here is logged and leaves the rest running. */
async function runNews(
  n: NonNullable<SystemOptions["news"]>,
  dataDir: string,
  stores: Awaited<ReturnType<typeof openFeatureStores>>,
  signal: AbortSignal,
): Promise<void> {
  const log = logger("news");
  try {
    const { loadNewsClassifier } = await import("../news_model/classifier.ts");
    const { CryptoPanic } = await import("../sources/cryptopanic/client.ts");
    const { cryptoPanicNews } = await import("../sources/cryptopanic/news_stream.ts");
    const { NewsSignalStream } = await import("../transforms/news_signals.ts");
    const classifier = await loadNewsClassifier(n.model, { cacheDir: `${dataDir}/hf-cache` });
    const seen = await SeenIds.open(`${dataDir}/news_seen.json`);
    const client = new CryptoPanic({ baseUrl: n.apiUrl, token: n.token, log: logger("cryptopanic") });
    const batches = cryptoPanicNews({
      client,
      seen,
      intervalMs: n.pollMs,
      signal,
      log: logger("cryptopanic"),
    })
      .pipeThrough(new BatchStream<NewsItem>(64, 250))
      .pipeThrough(new NewsSignalStream(classifier));
    for await (const batch of batches) {
      await stores.putSignals(batch.signals);
      await seen.save();
      log.info(`${batch.items.length} headlines → ${batch.signals.length} signals`);
    }
    await classifier.dispose();
  } catch (e) {
    if (!signal.aborted) log.error(`news stopped: ${(e as Error).message}`);
  }
}
