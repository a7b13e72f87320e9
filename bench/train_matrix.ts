/**
 * A realistic training matrix for the GBDT benchmarks, made by the project's own feature pipeline:
 * the synthetic market's BTC/USD trades → 1m candles → indicators → the model's 32 base inputs
 * (`featureVector`, no news: the synthetic market has none), target the next candle's log return.
 * Warm rows only, as the offline store gives training. Deterministic, so every run (and the
 * LightGBM anchor) sees the same numbers.
 */
import { flushCandles, initialCandleState, stepCandles } from "../src/transforms/candles.ts";
import { SeriesIndicators } from "../src/transforms/features.ts";
import { featureVector } from "../src/model/features.ts";
import type { FeatureRow, FeatureRowWithNews } from "../src/domain/feature_row.ts";
import { NEWS_COLUMNS } from "../src/domain/feature_row.ts";
import { syntheticTrades } from "../src/sim/synthetic.ts";

export interface Matrix {
  X: Float64Array;
  y: Float64Array;
  n: number;
  F: number;
  /** Where the rows came from, for the bench output. */
  source: string;
}

/** The 32 inputs a model reads that do not come from news. */
export const BASE_FEATURES = 32;

/** `rows` warm feature rows of the synthetic market (1m, BTC/USD), as a row-major matrix. */
export function syntheticFeatureMatrix(rows: number, seed = 42): Matrix {
  const warmUp = 60;
  const trades = syntheticTrades({
    pairs: ["BTC/USD"],
    start: Date.UTC(2024, 0, 1),
    minutes: rows + warmUp + 2,
    seed,
  });
  const candles = initialCandleState({ windows: ["1m"], graceMs: 0 });
  const series = new SeriesIndicators();
  const feature: FeatureRow[] = [];
  for (const t of trades) for (const r of series.rows(stepCandles(candles, t))) if (r.warm) feature.push(r);
  for (const r of series.rows(flushCandles(candles))) if (r.warm) feature.push(r);
  if (feature.length < rows + 1) throw new Error(`the synthetic market gave ${feature.length} warm rows`);
  const noNews = Object.fromEntries(NEWS_COLUMNS.map((c) => [c, null]));
  const F = BASE_FEATURES;
  const X = new Float64Array(rows * F), y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const row = { ...feature[i]!, ...noNews } as FeatureRowWithNews;
    X.set(featureVector(row).subarray(0, F), i * F);
    y[i] = Math.log(feature[i + 1]!.close / feature[i]!.close);
  }
  return {
    X,
    y,
    n: rows,
    F,
    source: `synthetic market, BTC/USD 1m, ${rows.toLocaleString("en-US")} warm rows`,
  };
}
