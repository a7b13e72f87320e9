/**
 * In-memory implementations of the core's ports (src/domain/ports.ts), for tests that run the
 * API, training or streaming predictions without Deno KV, DuckDB, files or an ONNX runtime.
 */
import type { Window } from "../src/domain/candle.ts";
import type { FeatureRow, ModelRow, TrainingRow } from "../src/domain/feature_row.ts";
import { NEWS_COLUMNS } from "../src/domain/feature_row.ts";
import type { ModelCard, PromotedFile, Promotion } from "../src/domain/model_card.ts";
import { modelName } from "../src/domain/model_card.ts";
import type {
  Clock,
  FeatureHistory,
  OnlineFeatureStore,
  PointPrediction,
  PredictionStore,
  Predictor,
  ServingModel,
  WritableModelRegistry,
} from "../src/domain/ports.ts";
import type { LiveErrors, Prediction } from "../src/domain/prediction.ts";
import { withOthers } from "../src/model/features.ts";

/** A clock that reads `at` and moves only when told. */
export class ManualClock implements Clock {
  constructor(public at = 0) {}
  now(): number {
    return this.at;
  }
}

const key = (pair: string, window: string) => `${pair}|${window}`;

/** No signal in any span, as the offline store answers for a coin without news. */
const NO_NEWS = Object.fromEntries(
  NEWS_COLUMNS.map((c) => [c, c === "news_minutes_since_signal" ? null : 0]),
);

/**
 * Feature rows per series, kept sorted by window start, as the online store and as the training
 * history; no news (every news column says "none").
 */
export class MemoryFeatureStore implements OnlineFeatureStore, Pick<FeatureHistory, "trainingRows"> {
  readonly series = new Map<string, FeatureRow[]>();
  /** Set to make every read fail with it. */
  failure: Error | null = null;

  upsert(rows: readonly FeatureRow[]): Promise<void> {
    for (const r of rows) {
      const list = this.series.get(key(r.pair, r.window)) ?? [];
      const at = list.findIndex((x) => x.window_start >= r.window_start);
      if (at === -1) list.push(r);
      else if (list[at]!.window_start === r.window_start) list[at] = r;
      else list.splice(at, 0, r);
      this.series.set(key(r.pair, r.window), list);
    }
    return Promise.resolve();
  }

  #rows(pair: string, window: Window): FeatureRow[] {
    if (this.failure) throw this.failure;
    return this.series.get(key(pair, window)) ?? [];
  }

  latest(pair: string, window: Window): Promise<FeatureRow | null> {
    return Promise.try(() => this.#rows(pair, window).at(-1) ?? null);
  }

  asOf(pair: string, window: Window, t: number): Promise<FeatureRow | null> {
    return Promise.try(() => this.#rows(pair, window).findLast((r) => r.window_end <= t) ?? null);
  }

  recent(pair: string, window: Window, limit: number): Promise<FeatureRow[]> {
    return Promise.try(() => this.#rows(pair, window).slice(-limit));
  }

  modelRow(
    pair: string,
    window: Window,
    otherPairs: readonly string[] = [],
    windowStart?: number,
  ): Promise<ModelRow | null> {
    return Promise.try(() => {
      const rows = this.#rows(pair, window);
      const row = windowStart === undefined ? rows.at(-1) : rows.find((r) => r.window_start === windowStart);
      if (!row) return null;
      const others = otherPairs.map((p) =>
        this.#rows(p, window).find((r) => r.window_start === row.window_start) ?? null
      );
      return withOthers({ ...row, ...NO_NEWS } as ModelRow, otherPairs, others);
    });
  }

  trainingRows(
    pair: string,
    window: Window,
    horizonMs: number,
    others: readonly string[] = [],
  ): Promise<TrainingRow[]> {
    return Promise.try(() => {
      const rows = this.#rows(pair, window);
      const at = new Map(rows.map((r) => [r.window_start, r]));
      const out: TrainingRow[] = [];
      for (const r of rows) {
        const target = at.get(r.window_start + horizonMs);
        if (!r.warm || !target) continue;
        const other = others.map((p) =>
          this.#rows(p, window).find((o) => o.window_start === r.window_start) ?? null
        );
        const joined = withOthers({ ...r, ...NO_NEWS } as ModelRow, others, other);
        out.push({ ...joined, target_close: target.close });
      }
      return out;
    });
  }

  close(): void {}
}

export class MemoryPredictionStore implements PredictionStore {
  readonly predictions = new Map<string, Prediction>();
  #sums = new Map<string, { n: number; model: number; naive: number }>();

  put(p: Prediction): Promise<boolean> {
    const k = `${key(p.pair, p.window)}|${p.made_at}`;
    if (this.predictions.has(k)) return Promise.resolve(false);
    this.predictions.set(k, p);
    return Promise.resolve(true);
  }

  realise(pair: string, window: string, madeAt: number, close: number): Promise<boolean> {
    const p = this.predictions.get(`${key(pair, window)}|${madeAt}`);
    if (!p || p.realised_close !== null) return Promise.resolve(false);
    p.realised_close = close;
    const s = this.#sums.get(key(pair, window)) ?? { n: 0, model: 0, naive: 0 };
    s.n++;
    s.model += Math.abs(p.predicted_close - close);
    s.naive += Math.abs(p.current_close - close);
    this.#sums.set(key(pair, window), s);
    return Promise.resolve(true);
  }

  recent(pair: string, window: string, limit: number): Promise<Prediction[]> {
    const mine = [...this.predictions.values()].filter((p) => p.pair === pair && p.window === window);
    return Promise.resolve(mine.sort((a, b) => b.made_at - a.made_at).slice(0, limit));
  }

  liveErrors(pair: string, window: string): Promise<LiveErrors> {
    const s = this.#sums.get(key(pair, window));
    if (!s || s.n === 0) return Promise.resolve({ n: 0, mae_model: null, mae_naive: null });
    return Promise.resolve({ n: s.n, mae_model: s.model / s.n, mae_naive: s.naive / s.n });
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

  async promote(name: string, version: string, by: Promotion["by"], reason: string): Promise<void> {
    await this.card(name, version);
    const file = await this.promotedFile(name);
    file.current = version;
    file.stack.push(version);
    file.history.push({ version, at: new Date(this.clock.now()).toISOString(), by, reason });
    this.promotions.set(name, file);
  }

  async rollback(name: string): Promise<string> {
    const file = await this.promotedFile(name);
    if (file.stack.length < 2) {
      throw new Error(`model ${name} has no version promoted before ${file.current}`);
    }
    const from = file.stack.pop()!;
    file.current = file.stack.at(-1)!;
    file.history.push({
      version: file.current,
      at: new Date(this.clock.now()).toISOString(),
      by: "rollback",
      reason: `rolled back from ${from}`,
    });
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
    });
  }
}
