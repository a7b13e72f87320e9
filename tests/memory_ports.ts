/**
 * In-memory implementations of the core's ports (src/domain/ports.ts), for tests that run the
 * API, training or streaming predictions without Deno KV, DuckDB, files or an ONNX runtime. The
 * stores are in ./memory_stores.ts, re-exported here so a test imports every port from one place.
 */
import type { Window } from "../src/domain/candle.ts";
import type { ModelRow } from "../src/domain/feature_row.ts";
import type { ModelCard, PromotedFile, Promotion } from "../src/domain/model_card.ts";
import { modelName } from "../src/domain/model_card.ts";
import { rollbackEntry } from "../src/registry/rollback.ts";
import type {
  Clock,
  PointPrediction,
  Predictor,
  ServingModel,
  WritableModelRegistry,
} from "../src/domain/ports.ts";

export { MemoryFeatureStore, MemoryPredictionStore } from "./memory_stores.ts";

/** A clock that reads `at` and moves only when told. */
export class ManualClock implements Clock {
  constructor(public at = 0) {}
  now(): number {
    return this.at;
  }
}

/** A registry in maps; promotions are dated by `clock`. */
export class MemoryRegistry implements WritableModelRegistry {
  readonly cards = new Map<string, ModelCard>();
  readonly bytes = new Map<string, Uint8Array>();
  readonly files = new Map<string, string>();
  readonly promotions = new Map<string, PromotedFile>();
  readonly experimentLog = new Map<string, Record<string, unknown>[]>();
  readonly #reserved = new Map<string, string[]>();

  constructor(readonly clock: Clock = new ManualClock()) {}

  names(): Promise<string[]> {
    return Promise.resolve([...this.#reserved.keys()].sort());
  }

  versions(name: string): Promise<string[]> {
    return Promise.resolve([...(this.#reserved.get(name) ?? [])]);
  }

  card(name: string, version: string): Promise<ModelCard> {
    const card = this.cards.get(`${name}/${version}`);
    return card ? Promise.resolve(card) : Promise.reject(new Error(`no version ${version} of model ${name}`));
  }

  modelBytes(name: string, version: string): Promise<Uint8Array> {
    const bytes = this.bytes.get(`${name}/${version}`);
    return bytes ? Promise.resolve(bytes) : Promise.reject(new Error(`${name} ${version} has no model`));
  }

  promotedFile(name: string): Promise<PromotedFile> {
    return Promise.resolve(
      structuredClone(this.promotions.get(name) ?? { current: null, stack: [], history: [] }),
    );
  }

  async promoted(name: string): Promise<ModelCard | null> {
    const { current } = await this.promotedFile(name);
    return current ? await this.card(name, current) : null;
  }

  reserve(name: string): Promise<string> {
    const list = this.#reserved.get(name) ?? [];
    const version = `v${String(list.length + 1).padStart(4, "0")}`;
    this.#reserved.set(name, [...list, version]);
    return Promise.resolve(version);
  }

  save(card: ModelCard, onnx: Uint8Array): Promise<void> {
    this.cards.set(`${card.name}/${card.version}`, card);
    this.bytes.set(`${card.name}/${card.version}`, onnx);
    return Promise.resolve();
  }

  saveFile(name: string, version: string, file: string, text: string): Promise<void> {
    this.files.set(`${name}/${version}/${file}`, text);
    return Promise.resolve();
  }

  log(name: string, entry: Record<string, unknown>): Promise<void> {
    this.experimentLog.set(name, [...(this.experimentLog.get(name) ?? []), entry]);
    return Promise.resolve();
  }

  experiments(name: string): Promise<Record<string, unknown>[]> {
    return Promise.resolve([...(this.experimentLog.get(name) ?? [])]);
  }

  async promote(name: string, version: string, by: Promotion["by"], reason: string): Promise<boolean> {
    await this.card(name, version);
    const file = await this.promotedFile(name);
    if (file.current === version) return false;
    file.current = version;
    file.stack.push(version);
    file.history.push({ version, at: new Date(this.clock.now()).toISOString(), by, reason });
    this.promotions.set(name, file);
    return true;
  }

  async rollback(name: string, to?: string): Promise<string> {
    const file = await this.promotedFile(name);
    file.history.push(rollbackEntry(name, file, to, this.clock.now()));
    file.current = file.stack.at(-1)!;
    this.promotions.set(name, file);
    return file.current;
  }
}

/** A card with what serving reads filled in; the rest is plausible filler. */
export function cardFor(pair: string, window: Window, horizon: number, version: string): ModelCard {
  const metrics = { n: 100, mae: 1, rmse: 1, mae_return: 0.001, directional_accuracy: null, skill: 0 };
  return {
    name: modelName(pair, window, horizon),
    version,
    pair,
    window,
    horizon,
    features: [],
    other_pairs: [],
    data: { rows: 100, from: "2024-03-01T00:00:00.000Z", to: "2024-03-02T00:00:00.000Z", hash: "0" },
    model: { kind: "ridge", lambda: 1 },
    search: { budget: 1, seed: 1, trials: 1, best_validation_mae_return: 0.001 },
    folds: [],
    overall: { model: metrics, naive: metrics, sma: metrics },
    onnx: { input: "features", output: "log_return", output_is: "log_return", parity_max_rel_diff: 0 },
    decision: { promoted: true, reason: "test" },
    code_version: "test",
    created_at: "2024-03-02T00:00:00.000Z",
  };
}

/**
 * A predictor whose model predicts a fixed log return: `serve(version)` puts a version in service,
 * `refuse(why)` takes it out with the reason /health shows.
 */
export class FixedPredictor implements Predictor {
  readonly name: string;
  current: ServingModel | null = null;
  lastError: string | null = null;
  /** Rows asked about, for tests that count inferences. */
  readonly asked: ModelRow[] = [];

  constructor(
    readonly pair: string,
    readonly window: Window,
    readonly horizon: number,
    readonly logReturn = 0.01,
  ) {
    this.name = modelName(pair, window, horizon);
  }

  serve(version: string): this {
    this.current = {
      name: this.name,
      version,
      card: cardFor(this.pair, this.window, this.horizon, version),
      others: [],
    };
    this.lastError = null;
    return this;
  }

  refuse(why: string): this {
    this.current = null;
    this.lastError = why;
    return this;
  }

  predict(row: ModelRow): Promise<PointPrediction> {
    const model = this.current;
    if (!model) return Promise.reject(new Error(`no promoted model ${this.name}`));
    this.asked.push(row);
    return Promise.resolve({
      log_return: this.logReturn,
      predicted_close: row.close * Math.exp(this.logReturn),
      model: { name: model.name, version: model.version },
      interval_80: null,
      interval_95: null,
      interval_scale: null,
    });
  }
}
