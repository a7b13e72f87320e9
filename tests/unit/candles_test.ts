import { assert, assertEquals, assertThrows } from "../assert.ts";
import type { Trade } from "../../src/domain/trade.ts";
import type { Candle } from "../../src/domain/candle.ts";
import { parseWindows } from "../../src/domain/candle.ts";
import {
  type CandleState,
  flushCandles,
  initialCandleState,
  stepCandle,
  stepCandles,
  tickCandles,
} from "../../src/transforms/candles.ts";
import { burstyTrades, syntheticTrades } from "../helpers.ts";

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const t = (sec: number, price: number, qty = 1, side: "buy" | "sell" = "buy", pair = "BTC/USD"): Trade => ({
  pair,
  price,
  qty,
  side,
  ts: T0 + sec * 1000,
});

function run(state: CandleState, trades: Trade[]): Candle[] {
  return trades.flatMap((tr) => stepCandles(state, tr));
}

Deno.test("a candle holds open, high, low, close, volume, vwap, trades and taker volumes of its window", () => {
  const s = initialCandleState({ windows: ["1m"], graceMs: 0 });
  const out = run(s, [t(0, 100, 1, "buy"), t(20, 110, 2, "sell"), t(59.999, 90, 1, "buy"), t(60, 95)]);
  assertEquals(out, [{
    pair: "BTC/USD",
    window: "1m",
    window_start: T0,
    window_end: T0 + 60_000,
    open: 100,
    high: 110,
    low: 90,
    close: 90,
    volume: 4,
    vwap: (100 + 220 + 90) / 4,
    trades: 3,
    buy_volume: 2,
    sell_volume: 2,
  }]);
});

Deno.test("windows close on the watermark: the latest trade time minus the grace", () => {
  const s = initialCandleState({ windows: ["1m"], graceMs: 5000 });
  assertEquals(run(s, [t(10, 100), t(64, 101)]).length, 0, "within grace, the minute stays open");
  assertEquals(run(s, [t(65, 102)]).map((c) => c.window_start), [T0]);
});

Deno.test("an out-of-order trade within the grace lands in its window and sets open/close by time", () => {
  const s = initialCandleState({ windows: ["1m"], graceMs: 5000 });
  const out = run(s, [t(30, 100), t(62, 200), t(59, 105), t(5, 99), t(70, 201)]);
  assertEquals(out.length, 1);
  assertEquals([out[0]?.open, out[0]?.close, out[0]?.trades], [99, 105, 3]);
  assertEquals(s.late, 0);
});

Deno.test("a trade later than the grace is counted and never changes a closed candle", () => {
  const s = initialCandleState({ windows: ["1m"], graceMs: 1000 });
  const closed = run(s, [t(10, 100), t(70, 101)]);
  assertEquals(closed.length, 1);
  const before = structuredClone(closed[0]);
  assertEquals(run(s, [t(50, 1_000_000)]), []);
  assertEquals(s.late, 1);
  assertEquals(closed[0], before);
});

Deno.test("empty windows become flat candles at the previous close, so the series has no gaps", () => {
  const s = initialCandleState({ windows: ["1m"], graceMs: 0 });
  const out = run(s, [t(10, 100), t(20, 101), t(200, 102), t(300, 103)]);
  assertEquals(
    out.map((c) => [c.window_start - T0, c.open, c.close, c.volume, c.trades, c.vwap]),
    [
      [0, 100, 101, 2, 2, 100.5],
      [60_000, 101, 101, 0, 0, 101],
      [120_000, 101, 101, 0, 0, 101],
      [180_000, 102, 102, 1, 1, 102],
      [240_000, 103, 103, 1, 1, 103],
    ].slice(0, 4),
  );
});

Deno.test("pairs interleaved keep separate windows and watermarks", () => {
  const s = initialCandleState({ windows: ["1m"], graceMs: 0 });
  const out = run(s, [
    t(10, 100, 1, "buy", "BTC/USD"),
    t(11, 10, 1, "buy", "ETH/USD"),
    t(61, 101, 1, "buy", "BTC/USD"),
    t(30, 11, 1, "buy", "ETH/USD"),
    t(62, 12, 1, "buy", "ETH/USD"),
  ]);
  assertEquals(out.map((c) => [c.pair, c.close, c.trades]), [["BTC/USD", 100, 1], ["ETH/USD", 11, 2]]);
  assertEquals(s.late, 0);
});

Deno.test("idle windows close on wall-clock time, with flat candles for the quiet minutes", () => {
  const s = initialCandleState({ windows: ["1m"], graceMs: 2000 });
  const arrived = 1_000_000;
  stepCandles(s, t(50, 100), arrived);
  assertEquals(tickCandles(s, arrived + 11_000), [], "the minute plus the grace has not passed");
  assertEquals(tickCandles(s, arrived + 12_000).map((c) => c.window_start), [T0]);
  assertEquals(tickCandles(s, arrived + 132_000).map((c) => [c.window_start - T0, c.volume]), [
    [60_000, 0],
    [120_000, 0],
  ]);
  assertEquals(stepCandles(s, t(100, 1)), [], "a trade for an idled-out window is late");
  assertEquals(s.late, 1);
});

Deno.test("bigger windows are merged from the smallest and equal building them from trades", () => {
  for (
    const trades of [
      syntheticTrades(3_000, { spanMs: 3_600_000, seed: 4, start: T0 }),
      burstyTrades(180, { start: T0 }),
    ]
  ) {
    mergedEqualsDirect(trades);
  }
});

function mergedEqualsDirect(trades: Trade[]) {
  const both = initialCandleState({ windows: ["1m", "5m", "15m"], graceMs: 0 });
  const merged = [...run(both, trades), ...flushCandles(both)];
  const direct = initialCandleState({ windows: ["5m"], graceMs: 0 });
  const fives = [...run(direct, trades), ...flushCandles(direct)];
  const mergedFives = merged.filter((c) => c.window === "5m");
  assertEquals(mergedFives.length, fives.length);
  for (const [i, c] of mergedFives.entries()) {
    const d = fives[i] as Candle;
    for (const k of ["window_start", "open", "high", "low", "close", "trades"] as const) {
      assertEquals(c[k], d[k]);
    }
    for (const k of ["volume", "vwap", "buy_volume", "sell_volume"] as const) {
      assert(Math.abs(c[k] - d[k]) <= 1e-9 * Math.max(1, Math.abs(d[k])), `${k} ${c[k]} vs ${d[k]}`);
    }
  }
  assertEquals(merged.filter((c) => c.window === "15m").length, Math.ceil(mergedFives.length / 3));
}

Deno.test("flush closes the open windows; candles from a file enter through stepCandle", () => {
  const s = initialCandleState({ windows: ["1m"], graceMs: 5000 });
  assertEquals(run(s, [t(10, 100), t(62, 101)]), []);
  assertEquals(flushCandles(s).map((c) => c.window_start - T0), [0, 60_000]);
  const f = initialCandleState({ windows: ["1m", "5m"] });
  const one = (min: number, close: number): Candle => ({
    pair: "BTC/USD",
    window: "1m",
    window_start: T0 + min * 60_000,
    window_end: T0 + (min + 1) * 60_000,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    vwap: close,
    trades: 1,
    buy_volume: 1,
    sell_volume: 0,
  });
  const out = [one(0, 1), one(1, 2), one(3, 4), one(4, 5)].flatMap((c) => stepCandle(f, c));
  assertEquals(out.map((c) => `${c.window}@${(c.window_start - T0) / 60_000}:${c.close}`), [
    "1m@0:1",
    "1m@1:2",
    "1m@2:2",
    "1m@3:4",
    "1m@4:5",
    "5m@0:5",
  ]);
  assertThrows(() => stepCandle(f, { ...one(5, 1), window: "5m" }), RangeError, "not the smallest window");
});

Deno.test("parseWindows() sorts, dedupes and names a bad window", () => {
  assertEquals(parseWindows("5m,1m,5m"), ["1m", "5m"]);
  assertThrows(() => parseWindows("1m,2m"), RangeError, "'2m' is not a window");
});

Deno.test("idle windows never close past the market's clock, where a replay's stops", () => {
  const s = initialCandleState({ windows: ["1m"], graceMs: 2000 });
  const arrived = 1_000_000;
  stepCandles(s, t(50, 100), arrived);
  // Wall time runs on for hours; the market's clock stopped 3 s after the first minute.
  const stopped = T0 + 63_000;
  assertEquals(tickCandles(s, arrived + 12_000, stopped).map((c) => c.window_start), [T0]);
  assertEquals(tickCandles(s, arrived + 3_600_000, stopped), [], "no flat candle past the stopped clock");
  // Without a cap, the same hour of wall time is an hour of flat candles.
  assertEquals(tickCandles(s, arrived + 3_600_000).length, 59);
});
