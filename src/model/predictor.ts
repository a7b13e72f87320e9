/**
 * The promoted model of one (pair, window, horizon), kept warm in one onnxruntime-web session.
 * `refresh()` looks at the registry's promoted version; a new one is loaded beside the old,
 * checked (it opens, it reads exactly the features the store provides, it answers a probe) and
 * only then swapped in, in one assignment; a corrupt or mismatched model is refused with an
 * error and the old one keeps serving. Runs are serialised: WebAssembly has one thread anyway.
 */
import type { Window } from "../domain/candle.ts";
import { openSession, type ort } from "../onnx/runtime.ts";
import { type FeatureRowWithNews, OTHER_PAIR_COLUMNS } from "../domain/feature_row.ts";
import { type Logger, silent } from "../util/log.ts";
import { featureNames, featureVector } from "./features.ts";
import { runOnnx } from "./onnx_export.ts";
import { type ModelCard, modelName, type Registry } from "./registry.ts";

export interface LoadedModel {
  name: string;
  version: string;
  card: ModelCard;
  session: ort.InferenceSession;
  others: string[];
}

export interface PointPrediction {
  log_return: number;
  predicted_close: number;
  model: { name: string; version: string };
}

/** The inputs a model needs from the store, by its card. */
export function expectedFeatures(card: Pick<ModelCard, "other_pairs">): string[] {
  return featureNames(card.other_pairs.flatMap((p) => OTHER_PAIR_COLUMNS.map((c) => `${p}:${c}`)));
}

export class Predictor {
  readonly name: string;
  #current: LoadedModel | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #log: Logger;
  /** The last refusal, for /health. */
  lastError: string | null = null;

  constructor(
    readonly registry: Registry,
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

  /** Loads the promoted version if it is not the one serving; returns what happened. */
  async refresh(): Promise<"none" | "unchanged" | "swapped" | "refused"> {
    let version: string | null;
    try {
      version = (await this.registry.promotedFile(this.name)).current;
    } catch (e) {
      return this.#refuse(`cannot read the registry: ${(e as Error).message}`);
    }
    if (version === null) return this.#current ? "unchanged" : "none";
    if (version === this.#current?.version) return "unchanged";
    let next: LoadedModel;
    try {
      next = await this.#load(version);
    } catch (e) {
      return this.#refuse(`model ${this.name} ${version} refused: ${(e as Error).message}`);
    }
    const old = this.#current;
    this.#current = next;
    this.lastError = null;
    this.#log.info(`model ${this.name} ${version} serving${old ? ` (was ${old.version})` : ""}`);
    // Released once the runs queued before the swap are done.
    if (old) this.#queue = this.#queue.then(() => old.session.release()).catch(() => {});
    return "swapped";
  }

  #refuse(message: string): "refused" {
    if (this.lastError !== message) this.#log.error(message);
    this.lastError = message;
    return "refused";
  }

  async #load(version: string): Promise<LoadedModel> {
    const card = await this.registry.card(this.name, version);
    const want = expectedFeatures(card);
    if (JSON.stringify(card.features) !== JSON.stringify(want)) {
      const missing = card.features.filter((f) => !want.includes(f));
      throw new Error(
        `it reads ${card.features.length} features and the store provides ${want.length}` +
          (missing.length ? ` (not provided: ${missing.slice(0, 5).join(", ")})` : " in another order"),
      );
    }
    const session = await openSession(
      await this.registry.modelBytes(this.name, version),
      `${this.name} ${version}`,
    );
    try {
      const probe = await runOnnx(session, new Float64Array(want.length), 1, want.length);
      if (probe.length !== 1 || !Number.isFinite(probe[0]!)) {
        throw new Error("it does not answer a probe with one number");
      }
    } catch (e) {
      await session.release();
      throw new Error(`it does not run on ${want.length} features: ${(e as Error).message}`);
    }
    const others = card.other_pairs.flatMap((p) => OTHER_PAIR_COLUMNS.map((c) => `${p}:${c}`));
    return { name: this.name, version, card, session, others };
  }

  /** Predicts from a feature row (and other pairs' columns, when the model reads them). */
  predict(row: FeatureRowWithNews & { others?: Record<string, number | null> }): Promise<PointPrediction> {
    const model = this.#current;
    if (!model) return Promise.reject(new Error(`no promoted model ${this.name}`));
    const x = featureVector(row, model.others);
    const run = this.#queue.then(() => runOnnx(model.session, x, 1, x.length));
    this.#queue = run.catch(() => {});
    return run.then((out) => {
      const r = out[0]!;
      return {
        log_return: r,
        predicted_close: row.close * Math.exp(r),
        model: { name: model.name, version: model.version },
      };
    });
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
  registry: Registry,
  pairs: readonly string[],
  window: Window,
  horizon: number,
  { refreshMs, signal, log = silent }: { refreshMs: number; signal: AbortSignal; log?: Logger },
): Promise<Predictor[]> {
  const predictors = pairs.map((pair) => new Predictor(registry, pair, window, horizon, log));
  for (const p of predictors) {
    if ((await p.refresh()) === "none") log.info(`${p.pair} ${window}: no promoted model ${p.name} yet`);
    p.watch(refreshMs, signal);
  }
  signal.addEventListener("abort", () => predictors.forEach((p) => void p.close()), { once: true });
  return predictors;
}
