/** The indicator set as the registry composes it: its rows, its warm flag, its checkpoints. */
import { assert, assertEquals } from "../assert.ts";
import type { Candle } from "../../src/domain/candle.ts";
import { CANDLE_COLUMNS, FEATURE_COLUMNS, type FeatureRow } from "../../src/domain/feature_row.ts";
import { IndicatorSet, type IndicatorSetState, WARMUP_CANDLES } from "../../src/transforms/indicators.ts";
import { INDICATOR_COLUMNS } from "../../src/transforms/indicators/registry.ts";

function walk(n: number): Candle[] {
  let a = 11;
  const rnd = () => (a = (a * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  let price = 3_000;
  return Array.from({ length: n }, (_, i) => {
    const open = price;
    price = Math.round(price * (1 + (rnd() - 0.5) * 0.01) * 100) / 100;
    const volume = i % 50 < 5 ? 0 : rnd() * 20;
    const start = Date.UTC(2024, 2, 1) + i * 300_000;
    return {
      pair: "ETH/USD",
      window: "5m" as const,
      window_start: start,
      window_end: start + 300_000,
      open,
      high: Math.max(open, price) + rnd(),
      low: Math.min(open, price) - rnd(),
      close: price,
      volume,
      vwap: volume > 0 ? (open + price) / 2 : price,
      trades: volume > 0 ? 4 : 0,
      buy_volume: volume * rnd(),
      sell_volume: 0,
    };
  });
}

const CANDLES = walk(300);

/** The rows of `candles` from a set restored from `state` written as JSON. */
function resumed(state: IndicatorSetState, candles: Candle[]): FeatureRow[] {
  const set = new IndicatorSet(JSON.parse(JSON.stringify(state)));
  return candles.map((c) => set.add(c));
}

Deno.test("a feature row holds the candle, then every registry column in registry order, then warm", () => {
  const row = new IndicatorSet().add(CANDLES[0] as Candle);
  assertEquals(Object.keys(row), [...Object.keys(CANDLES[0] as Candle), ...INDICATOR_COLUMNS, "warm"]);
  assertEquals(FEATURE_COLUMNS, [...CANDLE_COLUMNS, ...INDICATOR_COLUMNS, "warm"]);
  assertEquals(INDICATOR_COLUMNS.length, 28);
});

Deno.test("rows turn warm on the candle the slowest indicator (MACD, 32 candles) has its history", () => {
  assertEquals(WARMUP_CANDLES, 32);
  const set = new IndicatorSet();
  const rows = CANDLES.map((c) => set.add(c));
  assertEquals(rows.findIndex((r) => r.warm), 31);
  assert(rows.slice(0, 31).some((r) => r.macd_signal === null));
  for (const r of rows.slice(31)) assert(INDICATOR_COLUMNS.every((c) => r[c] !== null) && r.warm);
});

Deno.test("a checkpoint from when one ring of closes served every return column goes on exactly as before", () => {
  for (const cut of [0, 1, 3, 10, 16, 17, 120]) {
    const set = new IndicatorSet();
    for (const c of CANDLES.slice(0, cut)) set.add(c);
    // That shape kept the last 16 closes, the squared returns and their sum at the top level.
    const earlier = structuredClone(set.state) as Record<string, unknown>;
    const vol = earlier.realizedVol15 as { squares: unknown; sum: number };
    earlier.closes = (earlier.logReturn15 as { ring: unknown }).ring;
    earlier.squaredReturns = vol.squares;
    earlier.squaredSum = vol.sum;
    for (const key of ["logReturn1", "logReturn5", "logReturn15", "realizedVol15"]) delete earlier[key];
    const next = CANDLES.slice(cut, cut + 60);
    assertEquals(
      resumed(earlier as IndicatorSetState, next),
      next.map((c) => set.add(c)),
      `restored after ${cut} candles`,
    );
  }
});

Deno.test("an indicator a checkpoint does not know starts afresh, and rows wait for its history to be warm", () => {
  const set = new IndicatorSet();
  for (const c of CANDLES.slice(0, 100)) set.add(c);
  const state = structuredClone(set.state);
  delete state.rsi9;
  const rows = resumed(state, CANDLES.slice(100, 150));
  assertEquals(rows.slice(0, 9).map((r) => r.rsi_9), new Array(9).fill(null));
  assert(rows.slice(9).every((r) => r.rsi_9 !== null));
  assertEquals(rows.findIndex((r) => r.warm), WARMUP_CANDLES - 1);
  assert(rows.every((r) => r.sma_21 !== null), "the indicators it knew go on");
});
