import { assertEquals } from "../assert.ts";
import { type CandlePoint, mergeRecent } from "../../src/serve/recent_candles.ts";

const c = (t: number, close = t): CandlePoint => ({ t, open: close, high: close, low: close, close });

Deno.test("mergeRecent() adds the newer candles in front and keeps the older ones", () => {
  assertEquals(mergeRecent([c(3), c(2), c(1)], [c(5), c(4), c(3)], 10), [c(5), c(4), c(3), c(2), c(1)]);
});

Deno.test("mergeRecent() takes a fresh candle over a kept one of the same start", () => {
  assertEquals(mergeRecent([c(3, 30), c(2), c(1)], [c(4), c(3, 31)], 10), [c(4), c(3, 31), c(2), c(1)]);
});

Deno.test("mergeRecent() keeps at most max candles, dropping the oldest", () => {
  assertEquals(mergeRecent([c(3), c(2), c(1)], [c(5), c(4), c(3)], 3), [c(5), c(4), c(3)]);
});

Deno.test("mergeRecent() asks for a full read when the fresh candles do not reach what is kept", () => {
  // Whether 4 follows 3 cannot be told without the window, so fresh must overlap what is kept.
  assertEquals(mergeRecent([c(3), c(2)], [c(5), c(4)], 10), null);
});

Deno.test("mergeRecent() keeps what it has when the store returned nothing", () => {
  assertEquals(mergeRecent([c(2), c(1)], [], 10), [c(2), c(1)]);
});
