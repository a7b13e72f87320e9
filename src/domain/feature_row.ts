/** A feature row: one closed candle and every feature computed from the series up to it. */
import type { Candle } from "./candle.ts";
import type { NewsColumn } from "../transforms/news_features.ts";

/** Indicator and derived columns, in export order. Periods are in the names. */
export const INDICATOR_COLUMNS = [
  "rsi_9",
  "rsi_14",
  "rsi_21",
  "macd",
  "macd_signal",
  "macd_hist",
  "bb_upper_20",
  "bb_middle_20",
  "bb_lower_20",
  "stochrsi_k",
  "stochrsi_d",
  "adx_14",
  "atr_10",
  "mfi_10",
  "roc_6",
  "sma_7",
  "sma_14",
  "sma_21",
  "volume_ema_10",
  "obv",
  "log_return_1",
  "log_return_5",
  "log_return_15",
  "realized_vol_15",
  "order_flow_imbalance",
  "close_vs_vwap",
  "hour_of_day",
  "day_of_week",
] as const;

export type IndicatorColumn = typeof INDICATOR_COLUMNS[number];

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

/** A feature row with the news columns of its pair's base coin, as known at its close. */
export type FeatureRowWithNews = FeatureRow & Record<NewsColumn, number | null>;

/** Columns of other pairs a training row can carry (stationary ones only). */
export const OTHER_PAIR_COLUMNS = ["log_return_1", "log_return_5", "realized_vol_15", "rsi_14"] as const;

/** A row for training: its features, the realised close `horizon` later, other pairs' columns. */
export type TrainingRow = FeatureRowWithNews & {
  target_close: number;
  others: Record<string, number | null>;
};
