/**
 * The ports of the core: what the stages, training and serving need from the world, declared here
 * and implemented at the edges (Deno KV and DuckDB in `src/stores`, the model registry and the
 * ONNX predictor in `src/registry`, the transformers.js classifier in `src/news_model`). Code that
 * depends only on these runs against in-memory implementations in tests (`tests/memory_ports.ts`).
 */
import type { Window } from "./candle.ts";
import type { FeatureRow, FeatureRowWithNews, ModelRow, OtherPairs, TrainingRow } from "./feature_row.ts";
import type { ModelCard, PromotedFile, Promotion } from "./model_card.ts";
import type { BacktestReport } from "../model/backtest.ts";
import type { NewsSignal } from "./news.ts";
import type { LiveErrors, LiveIntervalState, Prediction } from "./prediction.ts";

/** Where the time comes from: the core reads no clock of its own. */
export interface Clock {
  /** Epoch ms. */
  now(): number;
}

/** Feature rows keyed by (pair, window, window_start); writes are idempotent upserts. */
export interface FeatureStore {
  /** Inserts or replaces rows by (pair, window, window_start). */
  upsert(rows: readonly FeatureRow[]): Promise<void>;
  /** The newest row of a series. */
  latest(pair: string, window: Window): Promise<FeatureRow | null>;
  /**
   * The row that was known at time `t`: the newest whose candle had closed by then
   * (`window_end <= t`), never a later one.
   */
  asOf(pair: string, window: Window, t: number): Promise<FeatureRow | null>;
  close(): void;
}

/** The online store as serving and streaming predictions read it: the recent rows of each series. */
export interface OnlineFeatureStore extends FeatureStore {
  /** The newest `limit` rows of a series, oldest first. */
  recent(pair: string, window: Window, limit: number): Promise<FeatureRow[]>;
  /**
   * A series' row as a model reads it: the latest, or the one starting at `windowStart`, with its
   * news columns and, for each of `others.pairs`, that pair's columns `others.lag` windows before.
   */
  modelRow(
    pair: string,
    window: Window,
    others?: OtherPairs,
    windowStart?: number,
  ): Promise<ModelRow | null>;
}

/** A store whose history can be read in time order (the offline store). */
export interface FeatureHistory extends FeatureStore {
  /** Rows with `from <= window_start < to`, oldest first. */
  range(pair: string, window: Window, from?: number, to?: number): Promise<FeatureRow[]>;
  /** The newest `n` rows, oldest first. */
  tail(pair: string, window: Window, n: number): Promise<FeatureRow[]>;
  /** Rows per (pair, window), for summaries. */
  counts(): Promise<{ pair: string; window: Window; rows: number; first: number; last: number }[]>;
  /**
   * Warm rows of a series with their news columns, point in time, each with the close
   * `horizonMs` after its own window start (rows without one left out) and, per pair of
   * `others.pairs`, that pair's columns `others.lag` windows before: the training join.
   */
  trainingRows(
    pair: string,
    window: Window,
    horizonMs: number,
    others?: OtherPairs,
  ): Promise<TrainingRow[]>;
  /** The same rows a chunk at a time, for a dataset too large to hold as objects at once. */
  trainingRowChunks?(
    pair: string,
    window: Window,
    horizonMs: number,
    others?: OtherPairs,
  ): AsyncIterable<TrainingRow[]>;
  /**
   * Writes `trainingRows` (those from window start `from` on) to a CSV file at `path`, for a
   * Worker to read without holding the caller's thread; stores that cannot leave it out.
   */
  exportTrainingRows?(
    path: string,
    pair: string,
    window: Window,
    horizonMs: number,
    others?: OtherPairs,
    from?: number,
  ): Promise<void>;
}

/** Where classified headlines are kept, per coin; the news feature columns are computed from it. */
export interface NewsSignalStore {
  /** Inserts or replaces signals by (news_id, coin). */
  putSignals(signals: readonly NewsSignal[]): Promise<void>;
  /** Signals of a coin published in [from, to), oldest first. */
  signals(coin: string, from?: number, to?: number): Promise<NewsSignal[]>;
}

/** Predictions by (pair, window, made_at), with running sums of their live errors. */
export interface PredictionStore {
  /** Keeps a prediction; false (and nothing changes) when one was already made at that time. */
  put(p: Prediction): Promise<boolean>;
  /**
   * Fills in the realised close of the prediction made at `madeAt` and returns it so filled; null
   * when there is none to fill (none made, or filled before).
   */
  realise(pair: string, window: string, madeAt: number, close: number): Promise<Prediction | null>;
  /** The newest `limit` predictions, newest first. */
  recent(pair: string, window: string, limit: number): Promise<Prediction[]>;
  liveErrors(pair: string, window: string): Promise<LiveErrors>;
  /** What the intervals of `version` have learnt from live closes of the series; null before the first. */
  intervalState(pair: string, window: string, version: string): Promise<LiveIntervalState | null>;
}

/** The model registry as serving reads it: names, versions, their cards and bytes, and which serves. */
export interface ModelRegistry {
  /** Model names, sorted. */
  names(): Promise<string[]>;
  /** Versions of a model (`v0001` ...), oldest first; none for an unknown model. */
  versions(name: string): Promise<string[]>;
  /** Rejects when the version has no card. */
  card(name: string, version: string): Promise<ModelCard>;
  /** The ONNX bytes of a version; rejects when it has none. */
  modelBytes(name: string, version: string): Promise<Uint8Array>;
  /** Which version serves and the promotion history; an empty one for a model never promoted. */
  promotedFile(name: string): Promise<PromotedFile>;
  promoted(name: string): Promise<ModelCard | null>;
  /** A version's stored backtest, null when it has none; registries that keep none leave this out. */
  backtest?(name: string, version: string): Promise<BacktestReport | null>;
  /** The model loop's promotion or retirement of a version it ran in shadow, with its statistics. */
  liveDecision?(name: string, version: string): Promise<Record<string, unknown> | null>;
}

/** The registry as training and a human's promote/rollback write it. */
export interface WritableModelRegistry extends ModelRegistry {
  /** Reserves the next version number of `name` and returns it. */
  reserve(name: string): Promise<string>;
  /** Stores a version's ONNX model and card, each whole. */
  save(card: ModelCard, onnx: Uint8Array): Promise<void>;
  /** Stores a file beside a version's model (its out-of-sample predictions, say). */
  saveFile(name: string, version: string, file: string, text: string): Promise<void>;
  /** Appends one entry to the experiment log of `name`. */
  log(name: string, entry: Record<string, unknown>): Promise<void>;
  experiments(name: string): Promise<Record<string, unknown>[]>;
  /** Puts `version` in service; resolves false, changing nothing, when it already is. */
  promote(name: string, version: string, by: Promotion["by"], reason: string): Promise<boolean>;
  /**
   * Back to the version promoted before the current one, or further down the promotion stack to
   * `to`, passing over (and taking off the stack) the versions between; returns where it landed.
   */
  rollback(name: string, to?: string): Promise<string>;
}

export interface PointPrediction {
  log_return: number;
  predicted_close: number;
  /** `naive` with a null version and the reason while the series has fallen back to naive. */
  model: { name: string; version: string | null; reason?: string };
  /** Central 80% and 95% intervals of the close; null when the model has no calibrated intervals. */
  interval_80: [number, number] | null;
  interval_95: [number, number] | null;
  /** The σ the intervals were drawn with; null without intervals. */
  interval_scale: number | null;
}

/** The model version a predictor serves. */
export interface ServingModel {
  name: string;
  version: string;
  card: ModelCard;
  /** The other pairs' columns the model reads, in its order. */
  others: string[];
}

/** The promoted model of one (pair, window, horizon), as serving and streaming predictions use it. */
export interface Predictor {
  readonly name: string;
  readonly pair: string;
  readonly window: Window;
  readonly horizon: number;
  /** The version serving, or null when none does. */
  readonly current: ServingModel | null;
  /** Why the promoted version is not serving (or serves in place of another), for /health. */
  readonly lastError: string | null;
  /** Why the series serves naive instead of its loaded model (the model loop's fallback), if it does. */
  readonly fallback?: string | null;
  /** Rejects when no model serves. */
  predict(row: FeatureRowWithNews & { others?: Record<string, number | null> }): Promise<PointPrediction>;
  /** The loaded model's own prediction even while the series has fallen back to naive. */
  predictModel?(
    row: FeatureRowWithNews & { others?: Record<string, number | null> },
  ): Promise<PointPrediction>;
}

export interface Classified {
  signal: -1 | 0 | 1;
  /** The model's probability for that class. */
  score: number;
  /**
   * The headline's signal per coin, from a classifier that names the coins itself (an LLM): these
   * are written instead of `signal` for each of the headline's own coins. Empty when it concerns
   * no coin, or could not be classified (`error`).
   */
  coins?: { coin: string; signal: -1 | 0 | 1; score: number }[];
  /** Why the headline could not be classified; it then gives no signal. */
  error?: string;
}

/** A headline classifier: titles in, one signal each out. */
export interface NewsClassifier {
  /** What produced the signals: the hub id, or the local directory's name. */
  readonly name: string;
  classify(titles: readonly string[]): Promise<Classified[]>;
  dispose(): Promise<void>;
}
