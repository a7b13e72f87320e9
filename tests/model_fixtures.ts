/**
 * Feature rows the training tests write themselves: a 1-minute series whose returns follow an
 * AR(1) process (so a model can beat "no change"), or pure noise (so none can), run through the
 * real candle reducer and indicators into an offline store.
 */
import type { Candle } from "../src/domain/candle.ts";
import type { FeatureRow } from "../src/domain/feature_row.ts";
import type { Dataset } from "../src/model/dataset.ts";
import { flushCandles, stepCandle } from "../src/transforms/candles.ts";
import { initialFeatureState, SeriesIndicators } from "../src/transforms/features.ts";
import { DuckDbFeatureStore } from "../src/stores/offline_duckdb.ts";
import { prng } from "./helpers.ts";

export const T0 = Date.UTC(2024, 2, 1);
const MIN = 60_000;

export function syntheticRows(
  n: number,
  { phi = 0.6, seed = 1, pair = "BTC/USD", change }: {
    phi?: number;
    seed?: number;
    pair?: string;
    /** A regime change: from minute `at` on, returns follow AR(1) with `phi` instead. */
    change?: { at: number; phi: number };
  } = {},
): FeatureRow[] {
  const rand = prng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const state = initialFeatureState({ windows: ["1m"], graceMs: 0 });
  const series = new SeriesIndicators(state.indicators);
  const rows: FeatureRow[] = [];
  let close = 50_000, r = 0;
  for (let i = 0; i < n; i++) {
    r = (change && i >= change.at ? change.phi : phi) * r + 0.001 * gauss();
    const open = close;
    close = open * Math.exp(r);
    const volume = 1 + rand() * 3;
    const candle: Candle = {
      pair,
      window: "1m",
      window_start: T0 + i * MIN,
      window_end: T0 + (i + 1) * MIN,
      open,
      high: Math.max(open, close) * (1 + rand() * 2e-4),
      low: Math.min(open, close) * (1 - rand() * 2e-4),
      close,
      volume,
      vwap: (open + close) / 2,
      trades: 1 + Math.floor(rand() * 20),
      buy_volume: volume * rand(),
      sell_volume: 0,
    };
    candle.sell_volume = volume - candle.buy_volume;
    rows.push(...series.rows(stepCandle(state.candles, candle)));
  }
  rows.push(...series.rows(flushCandles(state.candles)));
  return rows;
}

/** A store file in `dir` holding `rows`. */
export async function storeWith(dir: string, rows: FeatureRow[]): Promise<string> {
  const path = `${dir}/offline.duckdb`;
  const store = await DuckDbFeatureStore.open(path);
  try {
    await store.upsert(rows);
  } finally {
    store.close();
  }
  return path;
}

/**
 * A 1m BTC/USD dataset straight from its matrix and targets (log returns one candle ahead), for the
 * model tests that make their own market: closes at 100, a row a minute from 0.
 */
export function datasetOf(features: string[], X: Float64Array, y: Float64Array): Dataset {
  const n = y.length;
  const close = new Float64Array(n).fill(100);
  const time = Float64Array.from({ length: n }, (_, i) => i * MIN);
  return {
    pair: "BTC/USD",
    window: "1m",
    horizon: 1,
    features,
    X,
    y,
    close,
    targetClose: close.map((c, i) => c * Math.exp(y[i]!)),
    sma: close,
    time,
    n,
    range: { from: 0, to: time[n - 1] ?? 0 },
    hash: "",
  };
}
