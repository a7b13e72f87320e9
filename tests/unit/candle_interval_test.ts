import { assertEquals, assertRejects } from "../assert.ts";
import { CandleIntervalError, checkCandleInterval } from "../../src/sources/files/candle_interval.ts";
import { bar } from "./stages/stage_helpers.ts";

const through = (minutes: number[], sample?: number) =>
  Array.fromAsync(
    ReadableStream.from(minutes.map((m) => bar("BTC/USD", m, 100))).pipeThrough(
      checkCandleInterval("1m", sample),
    ),
  );

Deno.test("1m candles with gaps pass the interval check unchanged", async () => {
  const minutes = [0, 1, 5, 6, 30, 31, 32];
  assertEquals(
    (await through(minutes, 5)).map((c) => c.window_start),
    minutes.map((m) => bar("BTC/USD", m, 1).window_start),
  );
});

Deno.test("5m candles read as 1m are refused, naming their interval and the flag", async () => {
  const err = await assertRejects(() => through([0, 5, 10, 15, 20, 25], 5), CandleIntervalError);
  assertEquals(
    err.message,
    "the file's candles are at least 5m apart, not 1m: it holds 5m candles (or coarser); pass --windows starting with its interval, e.g. --windows 5m",
  );
});

Deno.test("a short file is checked at its end, and a single candle passes", async () => {
  await assertRejects(() => through([0, 60, 120]), CandleIntervalError, "1h candles");
  assertEquals((await through([7])).length, 1);
});
