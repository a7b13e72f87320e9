/**
 * A real offline store (DuckDB on disk) for the tests of `features export` and `tail`: a long
 * BTC/USD 1m series with a gap wider than a read's slice, floats of every length, missing values
 * and news signals, beside other series the reads must leave out.
 */
import { type FeatureRow, INDICATOR_COLUMNS } from "../src/domain/feature_row.ts";
import { MARKET, type NewsSignal } from "../src/domain/news.ts";
import { DuckDbFeatureStore } from "../src/stores/offline_duckdb.ts";
import { prng } from "./helpers.ts";

export const MIN = 60_000;
export const T0: number = Date.UTC(2024, 0, 1);

/** The BTC/USD 1m minutes stored: two runs with 40,000 empty minutes between them. */
export const BTC_MINUTES: number[] = [
  ...Array.from({ length: 25_000 }, (_, i) => i),
  ...Array.from({ length: 8_000 }, (_, i) => 65_000 + i),
];

function row(pair: string, window: "1m" | "5m", i: number, r: () => number): FeatureRow {
  const ms = window === "1m" ? MIN : 5 * MIN;
  const close = 40_000 + 1_000 * r();
  const base = {
    pair,
    window,
    window_start: T0 + i * ms,
    window_end: T0 + (i + 1) * ms,
    open: close - 1,
    high: close + r(),
    low: close - r(),
    close,
    volume: r() * 10,
    vwap: close + r() / 3,
    trades: Math.floor(r() * 100),
    buy_volume: r(),
    sell_volume: r(),
    warm: i >= 50,
  };
  const ind = Object.fromEntries(
    INDICATOR_COLUMNS.map((c) => [c, i < 50 && r() < 0.5 ? null : r() * 100 - 50]),
  );
  return { ...base, ...ind } as FeatureRow;
}

function signal(i: number, coin: string, r: () => number): NewsSignal {
  const published = T0 + Math.floor(r() * 75_000) * MIN;
  return {
    news_id: `n${i}`,
    coin,
    signal: (Math.floor(r() * 3) - 1) as -1 | 0 | 1,
    score: r(),
    model: "distilled",
    published_at: published,
    known_at: published + Math.floor(r() * 4) * 45_000,
  };
}

/** Writes the store at `path` (an `offline.duckdb` in a data dir that exists). */
export async function writeExportStore(path: string): Promise<void> {
  const r = prng(7);
  const store = await DuckDbFeatureStore.open(path);
  try {
    await store.upsert(BTC_MINUTES.map((i) => row("BTC/USD", "1m", i, r)));
    await store.upsert(Array.from({ length: 3_000 }, (_, i) => row("ETH/USD", "1m", i, r)));
    await store.upsert(Array.from({ length: 3_000 }, (_, i) => row("BTC/USD", "5m", i, r)));
    const coins = ["BTC", "ETH", MARKET];
    await store.putSignals(Array.from({ length: 3_000 }, (_, i) => signal(i, coins[i % 3]!, r)));
  } finally {
    store.close();
  }
}
