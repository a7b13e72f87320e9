/** A feature row: one closed candle and every feature computed from the series up to it. */
import type { Candle } from "./candle.ts";
import { INDICATOR_COLUMNS, type IndicatorColumn } from "../transforms/indicators/registry.ts";

/** Indicator and derived columns, in export order, as the indicator registry declares them. */
export { INDICATOR_COLUMNS, type IndicatorColumn };

export const CANDLE_COLUMNS = [
  "pair",
  "window",
  "window_start",
  "window_end",
  "open",
  "high",
  "low",
  "close",
  "volume",
  "vwap",
  "trades",
  "buy_volume",
  "sell_volume",
] as const;

/** Every column of a feature row, in the order exports write them. */
export const FEATURE_COLUMNS = [...CANDLE_COLUMNS, ...INDICATOR_COLUMNS, "warm"] as const;

export type FeatureRow = Candle & Record<IndicatorColumn, number | null> & {
  /** True once every indicator has had its full warm-up history. */
  warm: boolean;
};

/** The spans the news columns aggregate over (see `transforms/news_features.ts`). */
export const NEWS_SPANS = { "1h": 3_600_000, "4h": 14_400_000, "24h": 86_400_000 } as const;

/** Per-coin news aggregates a feature row carries, as known at its close. */
export const NEWS_COLUMNS = [
  "news_signal_sum_1h",
  "news_signal_mean_1h",
  "news_count_1h",
  "news_signal_sum_4h",
  "news_signal_mean_4h",
  "news_count_4h",
  "news_signal_sum_24h",
  "news_signal_mean_24h",
  "news_count_24h",
  "news_minutes_since_signal",
] as const;

export type NewsColumn = typeof NEWS_COLUMNS[number];

/**
 * The same aggregates over the market-wide signals (the pseudo-coin `MARKET` of domain/news.ts:
 * headlines that name no coin), which every pair reads beside its own coin's.
 */
export const MARKET_NEWS_COLUMNS = [
  "market_news_signal_sum_1h",
  "market_news_signal_mean_1h",
  "market_news_count_1h",
  "market_news_signal_sum_4h",
  "market_news_signal_mean_4h",
  "market_news_count_4h",
  "market_news_signal_sum_24h",
  "market_news_signal_mean_24h",
  "market_news_count_24h",
  "market_news_minutes_since_signal",
] as const;

export type MarketNewsColumn = typeof MARKET_NEWS_COLUMNS[number];

/**
 * A feature row with the news columns of its pair's base coin and of the market, as known at its
 * close. The stores always fill the market columns; a row without them reads as no market news.
 */
export type FeatureRowWithNews =
  & FeatureRow
  & Record<NewsColumn, number | null>
  & Partial<Record<MarketNewsColumn, number | null>>;

/** Columns of other pairs a training row can carry (stationary ones only). */
export const OTHER_PAIR_COLUMNS = ["log_return_1", "log_return_5", "realized_vol_15", "rsi_14"] as const;

/**
 * How many windows before a row's own the other pairs' rows it carries start. Each pair's candle
 * closes on that pair's own clock, so when a row closes live the other pairs' candle of the same
 * window may not have closed yet, while the one before it has (its end passed a window earlier):
 * joining that one gives training and serving the same numbers.
 */
export const OTHER_PAIRS_LAG = 1;

/** Which other pairs' columns a row carries, and from how many windows before its own. */
export interface OtherPairs {
  pairs: readonly string[];
  lag: number;
}

/** No other pairs. */
export const NO_OTHER_PAIRS: OtherPairs = { pairs: [], lag: OTHER_PAIRS_LAG };

/** `pairs` joined as training joins them now. */
export function otherPairs(pairs: readonly string[], lag = OTHER_PAIRS_LAG): OtherPairs {
  return { pairs, lag };
}

/** A row as a model reads it: its news columns, and other pairs' columns under `<pair>:<column>`. */
export type ModelRow = FeatureRowWithNews & { others: Record<string, number | null> };

/** A row for training: its features, the realised close `horizon` later, other pairs' columns. */
export type TrainingRow = FeatureRowWithNews & {
  target_close: number;
  others: Record<string, number | null>;
};
