import { assertEquals, assertThrows } from "../assert.ts";
import type { FeatureRow } from "../../src/domain/feature_row.ts";
import { OnlineTail } from "../../src/stores/online_tail.ts";

const row = (pair: string, window: string, start: number, close = start) =>
  ({ pair, window, window_start: start, window_end: start + 60_000, close }) as unknown as FeatureRow;

Deno.test("the online tail keeps each series' last rows in arrival order, across adds, and forgets them once taken", () => {
  const tail = new OnlineTail(3);
  const btc = Array.from({ length: 10 }, (_, i) => row("BTC/USD", "1m", i * 60_000));
  tail.add(btc.slice(0, 4));
  tail.add([row("ETH/USD", "1m", 0), ...btc.slice(4, 7)]);
  // A replayed row comes again: it is the later of the two that the store must keep.
  tail.add([...btc.slice(7), row("BTC/USD", "1m", 9 * 60_000, 99)]);
  const taken = tail.take();
  assertEquals(
    taken.map((r) => [r.pair, r.window_start / 60_000, r.close]),
    [["BTC/USD", 8, 8 * 60_000], ["BTC/USD", 9, 9 * 60_000], ["BTC/USD", 9, 99], ["ETH/USD", 0, 0]],
  );
  assertEquals(tail.take(), []);
});

Deno.test("the online tail keeps windows of a pair apart", () => {
  const tail = new OnlineTail(1);
  tail.add([row("BTC/USD", "1m", 0), row("BTC/USD", "5m", 0), row("BTC/USD", "1m", 60_000)]);
  assertEquals(tail.take().map((r) => [r.window, r.window_start]), [["1m", 60_000], ["5m", 0]]);
});

Deno.test("the online tail refuses a size that is not a positive integer", () => {
  assertThrows(() => new OnlineTail(0), RangeError, "positive integer");
  assertThrows(() => new OnlineTail(1.5), RangeError, "positive integer");
});
