import { assertEquals } from "../assert.ts";
import { LiveRows } from "../../src/system/live_rows.ts";

const MIN = 60_000;
const row = (windowEnd: number) => ({ window_end: windowEnd });

Deno.test("LiveRows accepts only rows whose window closed after the source turned live, on the market's clock", () => {
  let live = false;
  let clock = 100 * MIN;
  const rows = new LiveRows(() => live, () => clock);
  rows.observe();
  assertEquals(rows.includes(row(99 * MIN)), false, "history while catching up");
  live = true;
  rows.observe();
  clock = 130 * MIN;
  // The last batch of history and the candles closed by trades queued during the catch-up are stored now.
  assertEquals([90, 99, 100].map((m) => rows.includes(row(m * MIN))), [false, false, false]);
  assertEquals(rows.includes(row(101 * MIN)), true);
});

Deno.test("LiveRows starts over when the source drops: the gap filled through REST is history again", () => {
  let live = true;
  let clock = 100 * MIN;
  const rows = new LiveRows(() => live, () => clock);
  rows.observe();
  live = false;
  clock = 110 * MIN;
  rows.observe();
  assertEquals(rows.includes(row(105 * MIN)), false);
  live = true;
  clock = 112 * MIN;
  assertEquals([105, 112, 113].map((m) => rows.includes(row(m * MIN))), [false, false, true]);
});
