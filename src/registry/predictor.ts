/**
 * The promoted model of one (pair, window, horizon), kept warm in one onnxruntime-web session.
 * `refresh()` looks at the registry's promoted version; a new one is loaded beside the old,
 * checked (`checkModel`: the same check `models promote` runs) and only then swapped in, in one
 * assignment; a broken one is refused with an error and the old one keeps serving. With none
 * serving yet (a fresh start), a broken promoted version gives way to the newest earlier version
 * on the promotion stack that passes, and `lastError` (shown by /health) says so. Runs are
 * serialised: WebAssembly has one thread anyway.
 */
import type { Window } from "../domain/candle.ts";
import type { FeatureRowWithNews } from "../domain/feature_row.ts";
import { modelName, type PromotedFile } from "../domain/model_card.ts";
import type {
  ModelRegistry,
  PointPrediction,
  PredictionStore,
  Predictor,
  ServingModel,
} from "../domain/ports.ts";
import { interval, type IntervalModel, servingQuantiles } from "../model/conformal.ts";
import { scaleOf } from "../model/interval_scale.ts";
import type { LiveIntervalState } from "../domain/prediction.ts";
import { featureVector } from "../model/features.ts";
import type { ort } from "../onnx/runtime.ts";
import { type Logger, silent } from "../util/log.ts";
import { checkModel } from "./model_check.ts";
import { runOnnx } from "./onnx_export.ts";

export interface LoadedModel extends ServingModel {
  session: ort.InferenceSession;
}

type ModelInput = FeatureRowWithNews & { others?: Record<string, number | null> };

/** "No change", labelled naive, with why the series serves it. */
export function naivePoint(close: number, reason: string): PointPrediction {
  return {
    log_return: 0,
    predicted_close: close,
    model: { name: "naive", version: null, reason },
    interval_80: null,
    interval_95: null,
    interval_scale: null,
  };
}

const indexes = new WeakMap<readonly string[], Map<string, number>>();

/** Where each of a card's features sits in its input vector (made once per loaded card). */
function featureIndex(features: readonly string[]): Map<string, number> {
  let at = indexes.get(features);
  if (!at) indexes.set(features, at = new Map(features.map((name, k) => [name, k])));
  return at;
}

/**
 * One model's prediction from a row: the log return, the close, and the calibrated intervals
 * (half-widths `q` in units of σ; the card's own when not given).
 */
async function pointPrediction(
  model: LoadedModel,
  row: ModelInput,
  q?: Record<string, number>,
): Promise<PointPrediction> {
  const x = featureVector(row, model.others, model.card.features);
  const out = await runOnnx(model.session, x, 1, x.length);
  const r = out[0]!;
  const card = model.card.intervals?.model;
  const bands = card && { floor: card.floor, q: q ?? card.q };
  // The same σ the intervals were calibrated with, from the features the model reads.
  const at = featureIndex(model.card.features);
  const vol = scaleOf(card?.scale_model, (name) => x[at.get(name) ?? -1] ?? 0);
  return {
    log_return: r,
    predicted_close: row.close * Math.exp(r),
    model: { name: model.name, version: model.version },
    interval_80: bands ? interval(row.close, r, vol, bands, 0.8) : null,
    interval_95: bands ? interval(row.close, r, vol, bands, 0.95) : null,
    interval_scale: bands ? Math.max(vol, bands.floor) : null,
  };
}

/** Where serving reads what a model version's intervals have learnt from live closes. */
export type LiveIntervalSource = Pick<PredictionStore, "intervalState">;

/** A live state read is reused this long: a realised close reaches the intervals within it. */
const LIVE_STATE_MS = 1000;

/**
 * One registered version loaded on its own, promoted or not: the challenger the model loop runs in
 * shadow beside the champion. Checked on load like a promoted one.
 */
export class VersionModel {
  #queue: Promise<unknown> = Promise.resolve();
  private constructor(readonly model: LoadedModel) {}

  static async load(registry: ModelRegistry, name: string, version: string): Promise<VersionModel> {
    const { card, session, others } = await checkModel(registry, name, version);
    return new VersionModel({ name, version, card, session, others });
  }

  get version(): string {
    return this.model.version;
  }

  predict(row: ModelInput): Promise<PointPrediction> {
    const run = this.#queue.then(() => pointPrediction(this.model, row));
    this.#queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.model.session.release();
  }
}

export class OnnxPredictor implements Predictor {
  readonly name: string;
  #current: LoadedModel | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #log: Logger;
  /** The last refusal, for /health. */
  lastError: string | null = null;
  /** Where the intervals' live learning is read; null keeps each card's fixed quantiles. */
  liveIntervals: LiveIntervalSource | null = null;
  #live: { version: string; readAt: number; state: LiveIntervalState | null } | null = null;
  #q: { card: IntervalModel; state: LiveIntervalState | null; at: number; q: Record<string, number> } | null =
    null;

  constructor(
    readonly registry: ModelRegistry,
    readonly pair: string,
    readonly window: Window,
    readonly horizon: number,
    log: Logger = silent,
  ) {
    this.name = modelName(pair, window, horizon);
    this.#log = log;
  }

  get current(): LoadedModel | null {
    return this.#current;
  }

  /**
   * Loads the promoted version if it is not the one serving; returns what happened ("fallback":
   * it was refused, and an earlier promoted version now serves in its place).
   */
  async refresh(): Promise<"none" | "unchanged" | "swapped" | "refused" | "fallback"> {
    let promoted: PromotedFile;
    try {
      promoted = await this.registry.promotedFile(this.name);
    } catch (e) {
      return this.#refuse(`cannot read the registry: ${(e as Error).message}`);
    }
    const version = promoted.current;
    if (version === null) return this.#current ? "unchanged" : "none";
    if (version === this.#current?.version) {
      this.lastError = null;
      return "unchanged";
    }
    let next: LoadedModel;
    try {
      next = await this.#load(version);
    } catch (e) {
      const refused = `model ${this.name} ${version} refused: ${(e as Error).message}`;
      if (this.#current) return this.#refuse(`${refused}; serving ${this.#current.version} instead`);
      return await this.#fallBack(refused, promoted.stack.filter((v) => v !== version));
    }
    this.#swap(next);
    this.lastError = null;
    return "swapped";
  }

  /** Serves the newest of `earlier` (oldest first) that passes the check, if any does. */
  async #fallBack(refused: string, earlier: string[]): Promise<"refused" | "fallback"> {
    const skipped: string[] = [];
    for (const version of [...new Set(earlier)].reverse()) {
      let model: LoadedModel;
      try {
        model = await this.#load(version);
      } catch (e) {
        skipped.push(`${version} refused: ${(e as Error).message}`);
        continue;
      }
      this.#refuse(`${refused}; serving ${version} instead`);
      this.#log.warn(
        `model ${this.name}: falling back to ${version}, the newest earlier promoted version that loads` +
          (skipped.length ? ` (${skipped.join("; ")})` : ""),
      );
      this.#swap(model);
      return "fallback";
    }
    return this.#refuse(
      `${refused}; no earlier promoted version loads` + (skipped.length ? ` (${skipped.join("; ")})` : ""),
    );
  }

  #swap(next: LoadedModel): void {
    const old = this.#current;
    this.#current = next;
    this.#log.info(`model ${this.name} ${next.version} serving${old ? ` (was ${old.version})` : ""}`);
    // Released once the runs queued before the swap are done.
    if (old) this.#queue = this.#queue.then(() => old.session.release()).catch(() => {});
  }

  #refuse(message: string): "refused" {
    if (this.lastError !== message) this.#log.error(message);
    this.lastError = message;
    return "refused";
  }

  async #load(version: string): Promise<LoadedModel> {
    const { card, session, others } = await checkModel(this.registry, this.name, version);
    return { name: this.name, version, card, session, others };
  }

  /**
   * Why the series serves naive instead of its model (set by the model loop of `start`/`demo`),
   * or null. The model stays loaded: the loop keeps judging it in shadow.
   */
  fallback: string | null = null;

  /**
   * Predicts from a feature row (and other pairs' columns, when the model reads them): the
   * model's prediction, or naive's labelled with the reason while the series has fallen back.
   */
  predict(row: ModelInput): Promise<PointPrediction> {
    if (this.fallback !== null && this.#current) {
      return Promise.resolve(naivePoint(row.close, this.fallback));
    }
    return this.predictModel(row);
  }

  /** The model's own prediction, fallback or not. */
  predictModel(row: ModelInput): Promise<PointPrediction> {
    const model = this.#current;
    if (!model) return Promise.reject(new Error(`no promoted model ${this.name}`));
    const run = this.#queue.then(async () => pointPrediction(model, row, await this.#quantiles(model, row)));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** The half-widths for `row`: the card's calibration carried on by the live closes, read at most once a second. */
  async #quantiles(model: LoadedModel, row: ModelInput): Promise<Record<string, number> | undefined> {
    const card = model.card.intervals?.model;
    if (!card || !this.liveIntervals) return undefined;
    const now = performance.now();
    if (this.#live?.version !== model.version || now - this.#live.readAt > LIVE_STATE_MS) {
      const state = await this.liveIntervals.intervalState(this.pair, this.window, model.version);
      this.#live = { version: model.version, readAt: now, state };
    }
    const { state } = this.#live;
    const cached = this.#q;
    if (cached?.card === card && cached.state === state && cached.at === row.window_start) return cached.q;
    const q = servingQuantiles(card, state, row.window_start);
    this.#q = { card, state, at: row.window_start, q };
    return q;
  }

  /** Checks the registry every `everyMs` until `signal` aborts. */
  watch(everyMs: number, signal: AbortSignal): void {
    const timer = setInterval(() => void this.refresh(), everyMs);
    signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  }

  async close(): Promise<void> {
    const model = this.#current;
    this.#current = null;
    await this.#queue;
    await model?.session.release();
  }
}

/**
 * Predictors for `pairs`, each loaded from the registry and then watching it every `refreshMs`
 * until `signal` aborts, which also closes them.
 */
export async function openPredictors(
  registry: ModelRegistry,
  pairs: readonly string[],
  window: Window,
  horizon: number,
  { refreshMs, signal, log = silent, liveIntervals = null }: {
    refreshMs: number;
    signal: AbortSignal;
    log?: Logger;
    /** Where the intervals' live learning is kept (the prediction store); without it they stay as trained. */
    liveIntervals?: LiveIntervalSource | null;
  },
): Promise<OnnxPredictor[]> {
  const predictors = pairs.map((pair) => new OnnxPredictor(registry, pair, window, horizon, log));
  for (const p of predictors) {
    p.liveIntervals = liveIntervals;
    if ((await p.refresh()) === "none") log.info(`${p.pair} ${window}: no promoted model ${p.name} yet`);
    p.watch(refreshMs, signal);
  }
  signal.addEventListener("abort", () => predictors.forEach((p) => void p.close()), { once: true });
  return predictors;
}
