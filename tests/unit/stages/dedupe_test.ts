import { assertEquals } from "../../assert.ts";
import { dedupe, dedupeCandles, dedupeTrades } from "../../../src/stages/dedupe.ts";
import type { Batch } from "../../../src/stages/batch.ts";
import {
  assertPassesCancellation,
  assertPassesErrors,
  bar,
  batchOf,
  through,
  trade,
} from "./stage_helpers.ts";

const btc = (id: number) => trade("BTC/USD", id, 100, id);
const eth = (id: number) => trade("ETH/USD", id, 10, id);

Deno.test("dedupe() drops trades at or below their pair's last id", async () => {
  const [one, two] = await through(dedupe(), [batchOf([btc(1), btc(2), btc(2)]), batchOf([btc(1), btc(3)])]);
  assertEquals(one?.trades, [btc(1), btc(2)]);
  assertEquals(two?.trades, [btc(3)]);
});

Deno.test("dedupe() keeps each pair's ids apart", async () => {
  const [batch] = await through(dedupe(), [batchOf([btc(5), eth(1), eth(2), btc(6)])]);
  assertEquals(batch?.trades, [btc(5), eth(1), eth(2), btc(6)]);
});

Deno.test("dedupe() continues from the last ids a checkpoint gives", async () => {
  const [batch] = await through(dedupe({ "BTC/USD": 2 }), [batchOf([btc(2), btc(3), eth(1)])]);
  assertEquals(batch?.trades, [btc(3), eth(1)]);
});

Deno.test("dedupe() passes trades without an id", async () => {
  const noId = trade("BTC/USD", 1, 100);
  const [batch] = await through(dedupe({ "BTC/USD": 9 }), [batchOf([noId, noId])]);
  assertEquals(batch?.trades, [noId, noId]);
});

Deno.test("dedupe() drops the arrival times of the trades it drops", async () => {
  const [batch] = await through(dedupe(), [batchOf([btc(1), btc(1), btc(2)], { arrivals: [10, 11, 12] })]);
  assertEquals([batch?.trades, batch?.arrivals], [[btc(1), btc(2)], [10, 12]]);
});

Deno.test("dedupe() hands on a batch left empty, for what else it carries", async () => {
  const [batch] = await through(dedupe({ "BTC/USD": 5 }), [batchOf([btc(4)], { tick: 7 })]);
  assertEquals([batch?.trades, batch?.tick], [[], 7]);
});

Deno.test("dedupe() emits nothing at the end of its input", async () => {
  assertEquals(await through(dedupe(), [] as Batch[]), []);
});

Deno.test("dedupe() passes a source error through", async () => {
  await assertPassesErrors(dedupe(), batchOf([btc(1)]));
});

Deno.test("dedupe() passes cancellation to its source", async () => {
  await assertPassesCancellation(dedupe(), batchOf([btc(1)]));
});

Deno.test("dedupeTrades() takes repeats out in place and records each pair's last id", () => {
  const last: Record<string, number> = { "ETH/USD": 1 };
  const trades = [btc(1), eth(1), btc(1), eth(2), btc(2)];
  const arrivals = [10, 11, 12, 13, 14];
  dedupeTrades(last, trades, arrivals);
  assertEquals([trades, arrivals, last], [[btc(1), eth(2), btc(2)], [10, 13, 14], {
    "BTC/USD": 2,
    "ETH/USD": 2,
  }]);
});

Deno.test("dedupe() leaves the last ids it was given as they were", async () => {
  const given = { "BTC/USD": 1 };
  await through(dedupe(given), [batchOf([btc(2), btc(3)])]);
  assertEquals(given, { "BTC/USD": 1 });
});

Deno.test("dedupe() hands on each pair's last id as of the batch, for a checkpoint", async () => {
  const [one, two] = await through(dedupe({ "ETH/USD": 7 }), [batchOf([btc(1), btc(2)]), batchOf([eth(8)])]);
  assertEquals(one?.state.lastTradeId, { "BTC/USD": 2, "ETH/USD": 7 });
  assertEquals(two?.state.lastTradeId, { "BTC/USD": 2, "ETH/USD": 8 });
});

Deno.test("dedupeCandles() drops candles at or before their series' last start, from a checkpoint's", async () => {
  const c = (pair: string, minute: number) => bar(pair, minute, 100);
  const [one, two] = await through(dedupeCandles({ "ETH/USD|1m": c("ETH/USD", 3).window_start }), [
    batchOf([], { candles: [c("BTC/USD", 0), c("BTC/USD", 1), c("BTC/USD", 1), c("ETH/USD", 3)] }),
    batchOf([], { candles: [c("BTC/USD", 0), c("ETH/USD", 4), c("BTC/USD", 2)] }),
  ]);
  assertEquals(one?.candles, [c("BTC/USD", 0), c("BTC/USD", 1)]);
  assertEquals(two?.candles, [c("ETH/USD", 4), c("BTC/USD", 2)]);
  assertEquals(two?.state.lastStart, {
    "BTC/USD|1m": c("BTC/USD", 2).window_start,
    "ETH/USD|1m": c("ETH/USD", 4).window_start,
  });
});
