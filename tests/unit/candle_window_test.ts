import { assertEquals, assertRejects } from "../assert.ts";
import { candlesOfWindow } from "../../src/sources/files/candle_window.ts";
import { bar } from "./stages/stage_helpers.ts";

const through = (minutes: number[], skipBadLines = false) => {
  const { stage, stats } = candlesOfWindow("5m", { path: "bars.csv", skipBadLines });
  const candles = Array.fromAsync(
    ReadableStream.from(minutes.map((m) => bar("BTC/USD", m, 100))).pipeThrough(stage),
  );
  return { candles, stats };
};

Deno.test("candles read on the 1m grid become candles of the run's window", async () => {
  const out = await through([0, 5, 15]).candles;
  assertEquals(out.map((c) => [c.window, c.window_end - c.window_start]), [
    ["5m", 300_000],
    ["5m", 300_000],
    ["5m", 300_000],
  ]);
});

Deno.test("a candle off the window's grid fails the load, naming the file and the candle", async () => {
  await assertRejects(
    () => through([0, 5, 7, 10]).candles,
    TypeError,
    "bars.csv: the candle at 2024-01-01T00:07:00.000Z does not start a 5m window (--skip-bad-lines",
  );
});

Deno.test("with --skip-bad-lines a candle off the window's grid is counted and dropped", async () => {
  const { candles, stats } = through([0, 5, 7, 10], true);
  assertEquals((await candles).map((c) => c.window_start % 300_000), [0, 0, 0]);
  assertEquals(stats.skipped, 1);
});

Deno.test("a file whose candles turn finer than the window fails the load, even with --skip-bad-lines", async () => {
  // 5m candles for four hours, then 1m candles: kept on the 5m grid, every fifth would pass.
  const minutes = [
    ...Array.from({ length: 48 }, (_, i) => i * 5),
    ...Array.from({ length: 60 }, (_, i) => 240 + i),
  ];
  await assertRejects(
    () => through(minutes, true).candles,
    TypeError,
    "bars.csv: 26 of the 50 candles up to 2024-01-01T04:32:00.000Z do not start a 5m window: the file's " +
      "interval changes there",
  );
  // A stray candle now and then is still a bad line to skip.
  const stray = Array.from({ length: 200 }, (_, i) => i * 5 + (i % 10 === 3 ? 2 : 0));
  const { candles, stats } = through(stray, true);
  assertEquals((await candles).length, 180);
  assertEquals(stats.skipped, 20);
});
