import { assert, assertEquals } from "../../assert.ts";
import { indicators } from "../../../src/stages/indicators.ts";
import type { Batch } from "../../../src/stages/batch.ts";
import { IndicatorSet } from "../../../src/transforms/indicators.ts";
import { assertPassesCancellation, assertPassesErrors, bar, batchOf, through } from "./stage_helpers.ts";

const btc = Array.from({ length: 40 }, (_, m) => bar("BTC/USD", m, 100 + Math.sin(m)));
const eth = Array.from({ length: 40 }, (_, m) => bar("ETH/USD", m, 10 + Math.cos(m)));
const closed = (candles: typeof btc): Batch => batchOf([], { candles });

function rowsOf(candles: typeof btc) {
  const set = new IndicatorSet();
  return candles.map((c) => set.add(c));
}

Deno.test("indicators() adds one feature row per closed candle, from its series' indicators", async () => {
  const mixed = btc.flatMap((c, i) => [c, eth[i]!]);
  const batches = await through(indicators(), [closed(mixed.slice(0, 30)), closed(mixed.slice(30))]);
  const rows = batches.flatMap((b) => b.rows);
  assertEquals(rows.filter((r) => r.pair === "BTC/USD"), rowsOf(btc));
  assertEquals(rows.filter((r) => r.pair === "ETH/USD"), rowsOf(eth));
});

Deno.test("indicators() continues a series from the state a batch was given", async () => {
  const [first] = await through(indicators(), [closed(btc.slice(0, 25))]);
  const [rest] = await through(indicators(structuredClone(first!.state.indicators!)), [
    closed(btc.slice(25)),
  ]);
  assertEquals([...first!.rows, ...rest!.rows], rowsOf(btc));
});

Deno.test("indicators() gives each batch a copy of the state as of that batch", async () => {
  const [one, idle, two] = await through(indicators(), [
    closed(btc.slice(0, 5)),
    closed([]),
    closed(btc.slice(5)),
  ]);
  assertEquals(one!.state.indicators!["BTC/USD|1m"]!.candles, 5);
  assertEquals(idle!.state.indicators!["BTC/USD|1m"]!.candles, 5);
  assertEquals(two!.state.indicators!["BTC/USD|1m"]!.candles, 40);
  assert(one!.state.indicators !== two!.state.indicators);
});

Deno.test("indicators() emits nothing at the end of its input", async () => {
  assertEquals(await through(indicators(), [] as Batch[]), []);
});

Deno.test("indicators() passes a source error through", async () => {
  await assertPassesErrors(indicators(), closed(btc.slice(0, 1)));
});

Deno.test("indicators() passes cancellation to its source", async () => {
  await assertPassesCancellation(indicators(), closed([]));
});
