import { assert, assertEquals } from "../assert.ts";
import { noteSpans, type RunSpans, seamWarnings } from "../../src/transforms/series_seams.ts";

const MIN = 60_000;
const held = [{ pair: "BTC/USD", window: "1m" as const, first: 0, last: 10 * MIN }];
/** A run whose rows span `start` to `end` (by default well past the held series). */
const spanAt = (start: number, end = start + 60 * MIN): RunSpans => {
  const spans: RunSpans = new Map();
  noteSpans(spans, [
    { pair: "BTC/USD", window: "1m", window_start: start + MIN },
    { pair: "BTC/USD", window: "1m", window_start: end },
    { pair: "BTC/USD", window: "1m", window_start: start },
  ]);
  return spans;
};

Deno.test("a run that begins inside or right after a held series cuts it, and says so", () => {
  const inside = seamWarnings(held, spanAt(10 * MIN));
  assertEquals(inside.length, 1);
  assert(inside[0]!.startsWith("BTC/USD 1m: this run's rows start at 1970-01-01T00:10:00"), inside[0]);
  assert(inside[0]!.includes("the candle at 1970-01-01T00:10:00.000Z now holds only this run's trades"));
  const after = seamWarnings(held, spanAt(11 * MIN));
  assertEquals(after.length, 1);
  assert(after[0]!.includes("ended") && !after[0]!.includes("now holds"), after[0]);
});

Deno.test("a run over the whole held series, one past a gap, or of another series cuts nothing", () => {
  assertEquals(seamWarnings(held, spanAt(0)), [], "the same range again rewrites it whole");
  assertEquals(seamWarnings(held, spanAt(-5 * MIN)), []);
  assertEquals(seamWarnings(held, spanAt(12 * MIN)), [], "past a gap the two series stay apart");
  const eth: RunSpans = new Map([["ETH/USD|1m", { first: 5 * MIN, last: 6 * MIN }]]);
  assertEquals(seamWarnings(held, eth), []);
  assertEquals(seamWarnings([], spanAt(5 * MIN)), []);
});

Deno.test("a run that ends inside a held series says its last candle replaced a stored one", () => {
  const ends = seamWarnings(held, spanAt(-5 * MIN, 4 * MIN));
  assertEquals(ends.length, 1);
  assert(ends[0]!.startsWith("BTC/USD 1m: this run's rows end at 1970-01-01T00:04:00.000Z, inside"), ends[0]);
  assertEquals(
    seamWarnings(held, spanAt(-5 * MIN, 10 * MIN)),
    [],
    "ending where the series ends cuts nothing",
  );
  assertEquals(seamWarnings(held, spanAt(3 * MIN, 5 * MIN)).length, 2, "inside at both ends");
});
