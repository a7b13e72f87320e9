/**
 * The feature store contract, kept by both the online store (Deno KV: the latest row of every
 * series) and the offline store (DuckDB: every row). Writes are idempotent upserts keyed by
 * (pair, window, window_start).
 */
import type { Window } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import type { NewsSignal } from "../domain/news.ts";

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

/** A store whose history can be read in time order (the offline store). */
export interface FeatureHistory extends FeatureStore {
  /** Rows with `from <= window_start < to`, oldest first. */
  range(pair: string, window: Window, from?: number, to?: number): Promise<FeatureRow[]>;
  /** The newest `n` rows, oldest first. */
  tail(pair: string, window: Window, n: number): Promise<FeatureRow[]>;
  /** Rows per (pair, window), for summaries. */
  counts(): Promise<{ pair: string; window: Window; rows: number; first: number; last: number }[]>;
}

/** Where classified headlines are kept, per coin; the news feature columns are computed from it. */
export interface NewsSignalStore {
  /** Inserts or replaces signals by (news_id, coin). */
  putSignals(signals: readonly NewsSignal[]): Promise<void>;
  /** Signals of a coin published in [from, to), oldest first. */
  signals(coin: string, from?: number, to?: number): Promise<NewsSignal[]>;
}
