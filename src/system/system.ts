/**
 * The whole system in one process, as `start` and `demo` run it: live ingest (caught up through
 * REST from the checkpoint, or from `historyMs` ago on a first run), streaming predictions, news
 * when configured, the API and dashboard, and a trainer that makes the first model once the
 * history is in (./first_models.ts). Everything shares one pair of stores. While the history
 * loads or the first model trains, /predict answers 503 with what is happening and the dashboard
 * says it too. The data dir holds one market (src/stores/market_file.ts); /health, the dashboard
 * and the startup line name it, and ages are measured on its clock (the simulator's, in the demo).
 * Shutdown (the signal) writes the open batch, saves the checkpoint and closes the stores.
 */
import type { Window } from "../domain/candle.ts";
import { isoTime } from "../domain/time.ts";
import { resumeCursors } from "../jobs/live_cursors.ts";
import { krakenTrades } from "../jobs/live_source.ts";
import { type OnnxPredictor, openPredictors } from "../registry/predictor.ts";
import { Registry } from "../registry/registry.ts";
import type { SystemStatus } from "../serve/app.ts";
import { LivePredictions } from "../serve/live_predictions.ts";
import { candles, cut, dedupe, indicators, persist, predict } from "../stages/mod.ts";
import { openFeatureStores } from "../stores/feature_stores.ts";
import { claimMarket, claimModelsMarket, type Market } from "../stores/market_file.ts";
import { KvLoopStore } from "../stores/loop_store.ts";
import { KvPredictionStore } from "../stores/prediction_store.ts";
import { lastTradeIds, openTradeJob, restoreFeatures } from "../stores/trade_job.ts";
import { isAbort } from "../util/abortable.ts";
import { logger } from "../util/log.ts";
import { Progress } from "../util/progress.ts";
import { catchUpStatus } from "./catch_up.ts";
import { clockGapWarning } from "./clock_gap.ts";
import { FirstModels } from "./first_models.ts";
import { LiveRows } from "./live_rows.ts";
import { ModelLoop } from "./model_loop.ts";
import { runNews } from "./news_loop.ts";
import { serveSystem } from "./system_server.ts";

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
  /** The model loop (./model_loop.ts): retraining, shadow, guard and expiry. */
  loop: {
    retrainEveryMs: number;
    trainWindowMs: number;
    shadow: number;
    guard: number;
    maxModelAgeMs: number;
  };
  /** Called once the system is live with its registry and predictors (the demo's scripted events). */
  onLive?: ((deps: { registry: Registry; predictors: readonly OnnxPredictor[] }) => void) | undefined;
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
  await claimModelsMarket(o.modelsDir, o.market);
  const stores = await openFeatureStores(o.dataDir);
  const registry = new Registry(o.modelsDir);
  // The models serve until the pipeline has written its last batch, not merely until Ctrl-C: the
  // rows still in flight when the signal comes are predicted by the model, not as "no model".
  const models = new AbortController();
  const predictions = new KvPredictionStore(stores.online.kv);
  const predictors = await openPredictors(registry, o.pairs, window, o.horizon, {
    refreshMs: 5000,
    signal: models.signal,
    log: logger("model"),
    liveIntervals: predictions,
  });
  let retraining: string | null = null;
  const loop = await ModelLoop.open({
    retrainEveryMs: o.loop.retrainEveryMs,
    trainWindowMs: o.loop.trainWindowMs,
    shadow: o.loop.shadow,
    guard: o.loop.guard,
    maxAgeMs: o.loop.maxModelAgeMs,
    alpha: 0.05,
    guardAlpha: 0.01,
    horizon: o.horizon,
    predictors,
    registry,
    history: stores.offline,
    store: new KvLoopStore(stores.online.kv),
    window,
    now,
    budget: o.trainBudget,
    log: logger("loop"),
    onTraining: (detail) => retraining = detail,
  });
  const live = new LivePredictions(
    predictors,
    stores.online,
    predictions,
    stores.offline,
    logger("predict"),
    loop,
  );
  const server = await serveSystem(
    o,
    {
      online: stores.online,
      predictions,
      registry,
      predictors,
      status: state,
      loop: (pair, w) => loop.status(pair, w),
      now,
    },
    signal,
  );

  // Ingest: the same job as `ingest` (its checkpoint continues a warm start).
  const job = await openTradeJob(o.dataDir, o.job ?? `ingest ${o.restUrl}`, undefined, logger("ingest"));
  const features = restoreFeatures(job, o.windows, o.graceMs);
  const from = o.from ?? now() - o.historyMs;
  const cursors = resumeCursors(job.state, o.pairs, from);
  for (const pair of o.pairs) {
    const saved = job.state.pairs[pair];
    log.info(
      saved ? `${pair}: warm start after ${isoTime(saved.ts)}` : `${pair}: cold start from ${isoTime(from)}`,
    );
  }
  const catchUpFrom = Math.min(...[...cursors.values()].map((c) => c.ts));
  const { stream, stats, rest } = krakenTrades(o, cursors, signal);
  o.replayEnd?.then((last) => {
    if (signal.aborted) return;
    replayEndedAt = isoTime(last);
    log.info(
      `the replay has ended: its last trade (${replayEndedAt}) has passed, no more will arrive; ` +
        `the dashboard keeps the last state (Ctrl-C stops)`,
    );
  });

  // Progress of the catch-up, then the first models.
  const progress = new Progress("history", log);
  const firstModels = new FirstModels({
    predictors,
    history: stores.offline,
    registry,
    window,
    horizon: o.horizon,
    minRows: o.minRowsToTrain,
    budget: o.trainBudget,
    log,
    onTraining: (detail) => setStatus("training", detail),
  });
  const tick = async () => {
    if (!stats.live) {
      const cursor = Math.min(...o.pairs.map((p) => job.state.pairs[p]?.ts ?? catchUpFrom));
      const s = { live: stats, restError: rest.stats.lastError, wsUrl: o.wsUrl };
      const { fraction, detail } = catchUpStatus(s, { from: catchUpFrom, cursor, now: now() });
      setStatus("catching up", detail);
      progress.update({ fraction, detail, rate: stats.trades / Math.max(1, performance.now() / 1000) });
      return;
    }
    progress.done();
    if (!wentLive) {
      wentLive = true;
      o.onLive?.({ registry, predictors });
    }
    if (!clockGapWarned) {
      const newest = Math.max(...o.pairs.map((p) => job.state.pairs[p]?.ts ?? -Infinity));
      const gap = clockGapWarning(Number.isFinite(newest) ? newest : undefined, now(), o.historyMs);
      if (gap) log.warn(gap);
      clockGapWarned = gap !== undefined;
    }
    if (firstModels.busy || loop.busy) return;
    if (!firstModels.complete) {
      const notes = await firstModels.step();
      if (notes.length) setStatus("live", `${notes.join("; ")}; predicting "no change" meanwhile`);
    } else {
      setStatus("live", `predicting with the promoted models${retraining ? `; ${retraining}` : ""}`);
    }
    await loop.tick();
  };
  let wentLive = false;
  let clockGapWarned = false;
  const timer = setInterval(
    () => void tick().catch((e) => log.error(`status: ${(e as Error).message}`)),
    2000,
  );

  const newsDone = o.news ? runNews(o.news, o.dataDir, stores, signal) : Promise.resolve();
  // Quiet windows close on wall time, but never past the market's own clock where it has one (the
  // simulator's, which stops at the replay's end); a live exchange's is the wall clock itself.
  const idle = { isLive: () => stats.live, everyMs: 1000, market: o.now };
  const liveRows = new LiveRows(idle.isLive, now);
  try {
    // Live: open windows stay in the checkpoint and continue on restart instead of closing early.
    await stream
      .pipeThrough(cut({ idle, observe: () => liveRows.observe() }))
      .pipeThrough(dedupe(lastTradeIds(job.state)))
      .pipeThrough(candles(features.candles, { flushOnEnd: false }))
      .pipeThrough(indicators(features.indicators))
      .pipeThrough(predict(live, liveRows))
      .pipeTo(persist({ stores, predictions: live, checkpoint: job.checkpoint, state: job.state }));
  } catch (e) {
    if (!isAbort(e, signal)) throw e;
  } finally {
    setStatus("stopping", "saving the checkpoint and closing the stores");
    clearInterval(timer);
    progress.done();
    await server.finished;
    await newsDone;
    await loop.close();
    models.abort();
    for (const p of predictors) await p.close();
    stores.close();
    log.info(`stopped; ${live.made} predictions made, ${live.realised} realised this run`);
  }
}
