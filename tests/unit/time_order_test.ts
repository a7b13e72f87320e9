import { assertEquals } from "../assert.ts";
import { runsNewestFirst, timeSteps } from "../../src/sources/files/time_order.ts";

const trades = (times: number[], pair = "BTC/USD") => times.map((ts) => ({ pair, ts }));
const range = (n: number) => Array.from({ length: n }, (_, i) => i * 1000);

Deno.test("time steps are counted per pair, and trades of the same time make none", () => {
  const mixed = [...trades([1, 2, 2, 3]), ...trades([9, 8], "ETH/USD"), ...trades([4])];
  assertEquals(timeSteps(mixed), { forward: 3, back: 1 });
});

Deno.test("a file whose first trades go back in time runs newest-first", () => {
  assertEquals(runsNewestFirst(trades(range(100).reverse())), true);
});

Deno.test("a file in time order, with a few steps back as live recordings have, does not", () => {
  const times = range(100);
  for (let i = 10; i < 100; i += 10) [times[i], times[i - 1]] = [times[i - 1]!, times[i]!];
  assertEquals(runsNewestFirst(trades(times)), false);
  assertEquals(runsNewestFirst(trades(range(100))), false);
});

Deno.test("a few trades back in time are too few to tell", () => {
  assertEquals(runsNewestFirst(trades(range(5).reverse())), false);
});
