/**
 * What a price model reads: a fixed, ordered vector made from a feature row. Price-level columns
 * (SMAs, Bollinger bands, MACD, ATR, open/high/low, VWAP) enter relative to the close, volumes as
 * logs, so the features mean the same at 7,000 as at 90,000 USD; the cumulative OBV is left out.
 * Missing values are filled: 0, except minutes since the last news signal, capped at a week.
 * Training and serving both use this function, and a model's card records the names in order; a
 * model serves on the features its card names, so one trained before a column existed (the
 * market-wide news columns, say) keeps serving on the ones it knows.
 */
import {
  type FeatureRow,
  type FeatureRowWithNews,
  MARKET_NEWS_COLUMNS,
  type ModelRow,
  NEWS_COLUMNS,
  OTHER_PAIR_COLUMNS,
} from "../domain/feature_row.ts";

const MINUTES_CAP = 7 * 24 * 60;

type Row = FeatureRowWithNews & { others?: Record<string, number | null> };

const num = (
  v: number | null | undefined,
): number => (v === null || v === undefined || !Number.isFinite(v) ? 0 : v);
const rel = (
  v: number | null | undefined,
  close: number,
) => (v === null || v === undefined ? 0 : v / close - 1);
const ratio = (
  v: number | null | undefined,
  close: number,
) => (v === null || v === undefined ? 0 : v / close);

/** Each base feature: its name and how it is computed. */
const BASE: readonly [string, (r: Row) => number][] = [
  ["log_return_1", (r) => num(r.log_return_1)],
  ["log_return_5", (r) => num(r.log_return_5)],
  ["log_return_15", (r) => num(r.log_return_15)],
  ["realized_vol_15", (r) => num(r.realized_vol_15)],
  ["rsi_9", (r) => num(r.rsi_9)],
  ["rsi_14", (r) => num(r.rsi_14)],
  ["rsi_21", (r) => num(r.rsi_21)],
  ["stochrsi_k", (r) => num(r.stochrsi_k)],
  ["stochrsi_d", (r) => num(r.stochrsi_d)],
  ["adx_14", (r) => num(r.adx_14)],
  ["mfi_10", (r) => num(r.mfi_10)],
  ["roc_6", (r) => num(r.roc_6)],
  ["macd_rel", (r) => ratio(r.macd, r.close)],
  ["macd_signal_rel", (r) => ratio(r.macd_signal, r.close)],
  ["macd_hist_rel", (r) => ratio(r.macd_hist, r.close)],
  ["bb_upper_rel", (r) => rel(r.bb_upper_20, r.close)],
  ["bb_lower_rel", (r) => rel(r.bb_lower_20, r.close)],
  ["bb_position", (r) => {
    const u = r.bb_upper_20, l = r.bb_lower_20;
    return u === null || l === null || u === l ? 0.5 : (r.close - l) / (u - l);
  }],
  ["atr_rel", (r) => ratio(r.atr_10, r.close)],
  ["sma_7_rel", (r) => rel(r.sma_7, r.close)],
  ["sma_14_rel", (r) => rel(r.sma_14, r.close)],
  ["sma_21_rel", (r) => rel(r.sma_21, r.close)],
  ["open_rel", (r) => rel(r.open, r.close)],
  ["high_rel", (r) => rel(r.high, r.close)],
  ["low_rel", (r) => rel(r.low, r.close)],
  ["close_vs_vwap", (r) => num(r.close_vs_vwap)],
  ["log_volume", (r) => Math.log1p(Math.max(0, num(r.volume)))],
  ["log_trades", (r) => Math.log1p(Math.max(0, num(r.trades)))],
  ["volume_vs_ema", (r) => (r.volume_ema_10 ? num(r.volume) / r.volume_ema_10 : 1)],
  ["order_flow_imbalance", (r) => num(r.order_flow_imbalance)],
  ["hour_of_day", (r) => num(r.hour_of_day)],
  ["day_of_week", (r) => num(r.day_of_week)],
  ...[...NEWS_COLUMNS, ...MARKET_NEWS_COLUMNS].map((c): [string, (r: Row) => number] => [
    c,
    c.endsWith("news_minutes_since_signal")
      ? (r) => Math.min(MINUTES_CAP, r[c] ?? MINUTES_CAP)
      : (r) => num(r[c]),
  ]),
];

const BY_NAME = new Map(BASE);

/** Names of the model's inputs, in order; `others` are other pairs' columns (`ETH/USD:rsi_14`). */
export function featureNames(others: readonly string[] = []): string[] {
  return [...BASE.map(([n]) => n), ...others];
}

/**
 * `row` with the columns of `pairs`, taken from `rows[i]`, pair i's row of the same window start
 * (null when it has none): the join the training set makes in SQL, for the serving side.
 */
export function withOthers(
  row: FeatureRowWithNews,
  pairs: readonly string[],
  rows: readonly (FeatureRow | null)[],
): ModelRow {
  const others: Record<string, number | null> = {};
  pairs.forEach((p, i) => {
    const other = rows[i] ?? null;
    for (const c of OTHER_PAIR_COLUMNS) others[`${p}:${c}`] = other?.[c] ?? null;
  });
  return { ...row, others };
}

/**
 * The input vector of one row, in `featureNames(others)` order, or in the order of `names` (a
 * model card's features: base features and `others`' columns) when given.
 */
export function featureVector(
  row: Row,
  others: readonly string[] = [],
  names?: readonly string[],
): Float64Array {
  if (names !== undefined) return namedVector(row, names);
  const out = new Float64Array(BASE.length + others.length);
  BASE.forEach(([, f], i) => out[i] = f(row));
  others.forEach((name, j) => out[BASE.length + j] = num(row.others?.[name]));
  return out;
}

function namedVector(row: Row, names: readonly string[]): Float64Array {
  const out = new Float64Array(names.length);
  names.forEach((name, i) => {
    const f = BY_NAME.get(name);
    out[i] = f ? f(row) : num(row.others?.[name]);
  });
  return out;
}
