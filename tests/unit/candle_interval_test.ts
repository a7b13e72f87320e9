import { assertEquals, assertThrows } from "../assert.ts";
import {
  candleInterval,
  CandleIntervalError,
  checkCandleInterval,
} from "../../src/sources/files/candle_interval.ts";
import { T0 } from "./stages/stage_helpers.ts";

const starts = (minutes: number[]) => minutes.map((m) => T0 + m * 60_000);

Deno.test("a candle file's interval is its closest spacing that the candles line up with", () => {
  assertEquals(candleInterval(starts([0, 1, 5, 6, 30, 31, 32])), 60_000);
  assertEquals(candleInterval(starts([0, 5, 10, 20, 35, 40])), 300_000);
  assertEquals(candleInterval(starts([0, 60, 120])), 3_600_000);
});

Deno.test("a stray candle off the grid does not change a file's interval", () => {
  const minutes = Array.from({ length: 20 }, (_, i) => i);
  assertEquals(
    candleInterval([...starts(minutes.slice(0, 10)), T0 + 9.5 * 60_000, ...starts(minutes.slice(10))]),
    60_000,
  );
});

Deno.test("the interval of fewer than two candles cannot be told, and passes", () => {
  assertEquals(candleInterval(starts([7])), undefined);
  checkCandleInterval(starts([7]), ["5m"]);
});

Deno.test("1m candles with gaps pass as 1m", () => {
  checkCandleInterval(starts([0, 1, 5, 6, 30, 31, 32]), ["1m", "5m"]);
});

Deno.test("5m candles read as 1m are refused, naming their interval and the flag", () => {
  const err = assertThrows(
    () => checkCandleInterval(starts([0, 5, 10, 15, 20, 25]), ["1m", "5m", "1h"]),
    CandleIntervalError,
  );
  assertEquals(
    err.message,
    "it holds 5m candles, not 1m; pass --windows starting with its interval, e.g. --windows 5m,1h",
  );
});

Deno.test("1m candles read as 5m are refused, naming their interval and windows that merge the rest", () => {
  const err = assertThrows(
    () => checkCandleInterval(starts(Array.from({ length: 50 }, (_, i) => i)), ["5m"]),
    CandleIntervalError,
  );
  assertEquals(
    err.message,
    "it holds 1m candles, smaller than the smallest of --windows (5m); pass --windows starting with its " +
      "interval, e.g. --windows 1m,5m (bigger windows are merged from the file's candles)",
  );
});

Deno.test("candles of no window size are refused, saying which sizes --windows takes", () => {
  assertThrows(
    () => checkCandleInterval(starts([0, 2, 4, 6, 8]), ["1m"]),
    CandleIntervalError,
    "it holds 2 min candles, not 1m; --windows takes 1m, 5m, 15m, 1h, so it cannot be loaded as it is",
  );
});
