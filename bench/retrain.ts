/**
 * A retraining must not block ingest or the API (the model loop of `start`/`demo` retrains a
 * series in a Worker while both keep running). Measured here in one process set up as `start`
 * runs: a week of 1m feature rows (the real Kraken BTC/USD REST candles in ../shared/data, else a
 * SYNTHETIC market, said loudly) in a DuckDB offline store and a Deno KV online store, a promoted
 * model serving /predict from the app on the system's own listener, and a live trade stream
 * pushed through the pipeline stages (cut → dedupe → candles → indicators → predict → persist,
 * with the checkpoint saved per batch) at 60× real time. Two windows of the same length, the
 * second while the series is retrained as the model loop does it (its latest 7 days of rows, the
 * first model's search with budget 8 and 5 folds, in a Worker, not promoted), back to back for
 * the whole window, so the figures hold for any time a retraining runs, whatever its length:
 * - /predict p50/p99 from wrk in a second process, 4 connections each paced to one request per
 *   2 ms (≈1,800 req/s: a busy API, not a saturated one). wrk corrects for coordinated omission:
 *   a stall of the event loop counts for every request that would have been sent during it;
 * - how late each candle is stored: from the moment the market clock passes its window end plus
 *   the grace (the earliest the pipeline may close it) to the moment its row, prediction and
 *   checkpoint are written; a candle is late past 1 s of wall time;
 * - the event loop's delay: the drift of a 1 ms timer, and its longest stall in each step of a
 *   retraining (the Worker builds the matrix, searches, fits, exports and checks parity; the main
 *   thread only writes the registry).
 * `BENCH_RETRAIN_S` (default 12) sets each window's seconds.
 */
import { WINDOW_MS } from "../src/domain/candle.ts";
import { buildDataset } from "../src/model/dataset.ts";
import { OnnxPredictor } from "../src/registry/predictor.ts";
import { Registry } from "../src/registry/registry.ts";
import { trainAndRegister, type TrainReport } from "../src/registry/train_and_register.ts";
import { trainSeries } from "../src/registry/train_series.ts";
import { createApp } from "../src/serve/app.ts";
import { listen } from "../src/serve/http_listener.ts";
import { LivePredictions } from "../src/serve/live_predictions.ts";
import { Metrics } from "../src/serve/metrics.ts";
import { candles, cut, dedupe, indicators, persist, predict } from "../src/stages/mod.ts";
import { type FeatureStores, openFeatureStores } from "../src/stores/feature_stores.ts";
import { KvPredictionStore } from "../src/stores/prediction_store.ts";
import { openTradeJob } from "../src/stores/trade_job.ts";
import { FIRST_MODEL_TRAINING } from "../src/system/training_policy.ts";
import { stepCandle } from "../src/transforms/candles.ts";
import { initialFeatureState, SeriesIndicators } from "../src/transforms/features.ts";
import { silent } from "../src/util/log.ts";
import { marketCandles, pacedTrades, TRADES_PER_CANDLE, tradesOf } from "./retrain_market.ts";
import type { BenchResult } from "./ws_frames.ts";
import { hasWrk, wrk, type WrkRun } from "./wrk.ts";

const PAIR = "BTC/USD";
const MINUTE = WINDOW_MS["1m"];
const HORIZON = 1;
/** `start`'s defaults: --grace 5, --train-budget 8, --train-window 7d. */
const GRACE_MS = 5_000;
const BUDGET = 8;
const TRAIN_WINDOW_MS = 7 * 24 * 60 * MINUTE;
/** Market ms per wall ms: a 1m candle closes every second. */
const SPEED = 60;
/** Candles held back from the history to be streamed live: more than any run needs. */
const LIVE_CANDLES = 900;
const LATE_MS = 1_000;
const CONNECTIONS = 4;
const PACE_MS = 2;

type Phase = "warm-up" | "idle" | "retrain" | "after";

/** A retraining's steps, as the main thread sees them. */
type Step =
  | "rows → file (DuckDB), file → matrix, search, fit, ONNX export and parity (Worker)"
  | "registry (main thread)";

interface LoopDelay {
  /** The drift of a 1 ms timer (ms past its period), by phase. */
  samples: Record<Phase, number[]>;
  /** The longest stall that began in each step of a retraining. */
  byStep: Map<Step, number>;
  stop(): void;
}

function loopDelay(phase: () => Phase, step: () => Step | null): LoopDelay {
  const samples: Record<Phase, number[]> = { "warm-up": [], idle: [], retrain: [], after: [] };
  const byStep = new Map<Step, number>();
  let last = performance.now();
  let lastStep = step();
  const timer = setInterval(() => {
    const now = performance.now();
    const gap = Math.max(0, now - last - 1);
    samples[phase()].push(gap);
    if (lastStep) byStep.set(lastStep, Math.max(gap, byStep.get(lastStep) ?? 0));
    last = now;
    lastStep = step();
  }, 1);
  return { samples, byStep, stop: () => clearInterval(timer) };
}

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = xs.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
const max = (xs: readonly number[]) => xs.length ? Math.max(...xs) : NaN;

/**
 * The model loop's retraining, as `ModelLoop` runs it (`trainSeries`): the store writes the latest
 * `--train-window` of training rows to a file on its own threads, the Worker reads it, builds the
 * matrix, searches and fits; the ONNX export and registry after it on the main thread.
 */
async function retrainLikeTheLoop(
  stores: FeatureStores,
  registry: Registry,
  onStep: (step: Step) => void,
): Promise<TrainReport> {
  onStep("rows → file (DuckDB), file → matrix, search, fit, ONNX export and parity (Worker)");
  const last = (await stores.offline.tail(PAIR, "1m", 1))[0]!;
  return await trainSeries(
    stores.offline,
    { pair: PAIR, window: "1m", horizon: HORIZON, fromMs: last.window_start - TRAIN_WINDOW_MS },
    {
      ...FIRST_MODEL_TRAINING,
      budget: BUDGET,
      registry,
      promote: false,
      vsPromoted: false,
      onStep: (m) => m.startsWith("registering") && onStep("registry (main thread)"),
    },
  );
}

function windowSeconds(): number {
  const text = Deno.env.get("BENCH_RETRAIN_S") ?? "12";
  const s = Number(text);
  if (!Number.isInteger(s) || s < 2) {
    throw new RangeError(
      `BENCH_RETRAIN_S must be a whole number of seconds ≥ 2, not ${JSON.stringify(text)}`,
    );
  }
  return s;
}

export async function benchRetrain(): Promise<BenchResult[]> {
  if (!(await hasWrk())) {
    console.log("  wrk not installed (apt-get install wrk): retrain benchmark skipped");
    return [];
  }
  const seconds = windowSeconds();
  const dir = await Deno.makeTempDir({ prefix: "bench-retrain-" });
  const abort = new AbortController();
  let stores: FeatureStores | undefined;
  let predictor: OnnxPredictor | undefined;
  let server: { finished: Promise<void> } | undefined;
  let stopped = false;
  let ingest: Promise<void> | undefined;
  let retrain: Promise<TrainReport[]> | undefined;
  let during: Promise<WrkRun> | undefined;
  let sampler: { stop(): void } | undefined;
  try {
    const market = await marketCandles(LIVE_CANDLES);
    const history = market.candles.slice(0, -LIVE_CANDLES);
    const liveBars = market.candles.slice(-LIVE_CANDLES);
    const features = initialFeatureState({ windows: ["1m"], graceMs: GRACE_MS });
    const series = new SeriesIndicators(features.indicators);
    const rows = history.flatMap((c) => series.rows(stepCandle(features.candles, c)));
    stores = await openFeatureStores(dir);
    for (let i = 0; i < rows.length; i += 1000) await stores.upsert(rows.slice(i, i + 1000));

    // The model that serves: a first model on a small budget, promoted even if naive beats it
    // (its latency is measured here, not its skill).
    const registry = new Registry(`${dir}/models`);
    const ds = await buildDataset(stores.offline, { pair: PAIR, window: "1m", horizon: HORIZON });
    const first = await trainAndRegister(ds, { ...FIRST_MODEL_TRAINING, budget: 2, registry });
    if (!first.promoted) await registry.promote(first.name, first.version, "promote", "served by the bench");
    predictor = new OnnxPredictor(registry, PAIR, "1m", HORIZON);
    await predictor.refresh();
    const predictions = new KvPredictionStore(stores.online.kv);
    const live = new LivePredictions([predictor], stores.online, predictions, stores.offline);

    const marketStart = liveBars[0]!.window_start;
    let wallStart = performance.now();
    const marketNow = () => marketStart + (performance.now() - wallStart) * SPEED;
    const metrics = new Metrics();
    const app = createApp({
      online: stores.online,
      predictions,
      registry,
      predictors: [predictor],
      metrics,
      now: marketNow,
    });
    const listening = await listen(app.fetch, {
      port: 0,
      hostname: "127.0.0.1",
      signal: abort.signal,
      onOwnAnswer: (status) => metrics.serverAnswer(status),
      onTimeout: (kind) => metrics.timedOut(kind),
    });
    server = listening;
    const url = `http://127.0.0.1:${listening.port}/predict?pair=${PAIR}`;
    const script = `${dir}/paced.lua`;
    await Deno.writeTextFile(script, `function delay()\n  return ${PACE_MS}\nend\n`);

    // Ingest, as `start` composes it; each stored row is timed against when it could first close.
    let phase: Phase = "warm-up";
    const lateness: Record<Phase, number[]> = { "warm-up": [], idle: [], retrain: [], after: [] };
    const job = await openTradeJob(dir, "bench retrain", undefined, silent);
    const due = (windowEnd: number) => wallStart + (windowEnd + GRACE_MS - marketStart) / SPEED;
    wallStart = performance.now();
    ingest = pacedTrades(tradesOf(liveBars), marketNow, SPEED, () => stopped)
      .pipeThrough(cut({ idle: { isLive: () => true, everyMs: 1000 } }))
      .pipeThrough(dedupe({}))
      .pipeThrough(candles(features.candles, { flushOnEnd: false }))
      .pipeThrough(indicators(features.indicators))
      .pipeThrough(predict(live))
      .pipeTo(persist({
        stores,
        predictions: live,
        checkpoint: job.checkpoint,
        state: job.state,
        onFlush(batch) {
          const now = performance.now();
          for (const r of batch.rows) lateness[phase].push(now - due(r.window_end));
        },
      }));
    let step: Step | null = null;
    const delay = loopDelay(() => phase, () => step);
    sampler = delay;
    await new Promise((r) => setTimeout(r, 2500));
    const probe = await fetch(url);
    const body = await probe.text();
    if (probe.status !== 200) throw new Error(`/predict answered ${probe.status} before the load: ${body}`);

    phase = "idle";
    const idle = await wrk(url, CONNECTIONS, seconds, { script });
    // Retrainings back to back from just after wrk connects until its window ends (the last one
    // runs past it, still measured for ingest).
    phase = "retrain";
    const until = performance.now() + seconds * 1000;
    during = wrk(url, CONNECTIONS, seconds, { script });
    await new Promise((r) => setTimeout(r, 200));
    const durations: number[] = [];
    const s = stores;
    retrain = (async () => {
      const reports: TrainReport[] = [];
      do {
        const t0 = performance.now();
        reports.push(await retrainLikeTheLoop(s, registry, (next) => step = next));
        step = null;
        durations.push((performance.now() - t0) / 1000);
      } while (performance.now() < until);
      return reports;
    })();
    const busy: WrkRun = await during;
    const reports = await retrain;
    phase = "after";
    const report = reports.at(-1)!;
    const retrainS = durations.reduce((a, b) => a + b, 0) / durations.length;

    const late = (p: Phase) => lateness[p].filter((ms) => ms > LATE_MS).length;
    const made = live.made;
    console.log(
      `  ${market.label}: ${rows.length} rows stored, ${lateness.idle.length + lateness.retrain.length} ` +
        `candles streamed in the two windows (${SPEED}× real time, ${TRADES_PER_CANDLE} trades each), ` +
        `${made} live predictions made, ${live.failures} failed`,
    );
    console.log(
      `  ${durations.length} retraining${durations.length === 1 ? "" : "s"} back to back (${
        durations.map((d) => d.toFixed(1)).join(", ")
      } s) ` +
        `on ${report.rows} rows; the last: ${report.model.name}, ${
          report.passed ? "passed the gate" : `no challenger (${report.reason})`
        }; longest event-loop stall by step: ${
          [...delay.byStep].map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(", ")
        }`,
    );
    for (
      const [name, run, p] of [["idle", idle, "idle"], ["during the retraining", busy, "retrain"]] as const
    ) {
      console.log(
        `  ${name}: /predict ${Math.round(run.rate)} req/s, p50 ${run.p50.toFixed(2)} ms, p99 ${
          run.p99.toFixed(2)
        } ms, ${run.failed} failed; candles stored p99 ${percentile(lateness[p], 0.99).toFixed(0)} ms, ` +
          `max ${max(lateness[p]).toFixed(0)} ms after they could close, ${
            late(p)
          } late (> ${LATE_MS} ms); ` +
          `event loop delay p99 ${percentile(delay.samples[p], 0.99).toFixed(2)} ms, max ${
            max(delay.samples[p]).toFixed(1)
          } ms`,
      );
    }
    const lateDuring = late("retrain");
    return [
      result(
        `/predict p99 during a retraining (wrk ${CONNECTIONS}×1 req/${PACE_MS} ms, same process as ingest)`,
        busy.p99,
        "ms",
        "p99 without a retraining (ms)",
        idle.p99,
        "p99 < 5 ms, none failed",
        busy.p99 < 5 && busy.failed === 0,
      ),
      result(
        "/predict p50 during a retraining",
        busy.p50,
        "ms",
        "p50 without a retraining (ms)",
        idle.p50,
        "informational",
        true,
      ),
      result(
        `candle stored after it could close (end + grace), max during a retraining; ${lateDuring} late`,
        max(lateness.retrain),
        "ms",
        "max without a retraining (ms)",
        max(lateness.idle),
        `none late (> ${LATE_MS} ms)`,
        lateDuring === 0 && lateness.retrain.length > 0,
      ),
      result(
        "event-loop delay (1 ms timer drift), max during a retraining",
        max(delay.samples.retrain),
        "ms",
        "max without a retraining (ms)",
        max(delay.samples.idle),
        "informational",
        true,
      ),
      result(
        `retraining in a Worker (${report.rows} rows, budget ${BUDGET}, 5 folds), mean of ${durations.length}`,
        retrainS,
        "s",
        "--retrain-every default (s)",
        6 * 3600,
        "informational",
        true,
      ),
    ];
  } finally {
    stopped = true;
    sampler?.stop();
    await Promise.allSettled([retrain, ingest, during]);
    abort.abort();
    await server?.finished;
    await predictor?.close();
    stores?.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function result(
  name: string,
  value: number,
  unit: string,
  reference: string,
  referenceValue: number,
  target: string,
  pass: boolean,
): BenchResult {
  return { name, value, unit, reference, referenceValue, ratio: value / referenceValue, target, pass };
}
