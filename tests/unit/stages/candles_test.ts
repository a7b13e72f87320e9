import { assert, assertEquals } from "../../assert.ts";
import { candles, closedCandles } from "../../../src/stages/candles.ts";
import type { Batch } from "../../../src/stages/batch.ts";
import {
  flushCandles,
  forgetPair,
  initialCandleState,
  stepCandle,
  stepCandles,
  tickCandles,
} from "../../../src/transforms/candles.ts";
import {
  assertPassesCancellation,
  assertPassesErrors,
  bar,
  batchOf,
  through,
  trade,
} from "./stage_helpers.ts";

const options = { windows: ["1m", "5m"] as const, graceMs: 0 };
const fresh = () => initialCandleState({ windows: [...options.windows], graceMs: options.graceMs });
// A trade every 20 seconds for eleven minutes: ten 1m windows and a 5m one close, the last stay open.
const trades = Array.from({ length: 33 }, (_, i) => trade("BTC/USD", i * 20, 100 + i, i));

Deno.test("candles() adds the candles its batches' trades close, as the reducer does", async () => {
  const batches = await through(candles(fresh()), [batchOf(trades.slice(0, 10)), batchOf(trades.slice(10))]);
  const state = fresh();
  const expected = trades.flatMap((t) => stepCandles(state, t));
  assertEquals(batches.slice(0, 2).flatMap((b) => b.candles), expected);
});

Deno.test("candles() flush emits one batch holding the open windows of a bounded history", async () => {
  const batches = await through(candles(fresh()), [batchOf(trades)]);
  assertEquals(batches.length, 2);
  const last = batches[1] as Batch;
  assertEquals(last.trades, []);
  assertEquals(last.candles.map((c) => `${c.window} ${(c.window_start - trades[0]!.ts) / 60_000}`), [
    "1m 10",
    "5m 10",
  ]);
});

Deno.test("candles() with flushOnEnd false emits no more and leaves the open windows in the state", async () => {
  const state = fresh();
  const batches = await through(candles(state, { flushOnEnd: false }), [batchOf(trades)]);
  assertEquals(batches.length, 1);
  assertEquals(state.pairs["BTC/USD"]?.open.length, 1);
});

Deno.test("candles() closes idle windows at a batch's tick, from each trade's arrival time", async () => {
  const state = fresh();
  const arrivals = [1_000, 2_000];
  const [, ticked] = await through(candles(state, { flushOnEnd: false }), [
    batchOf(trades.slice(0, 2), { arrivals }),
    batchOf([], { tick: 2_000 + 61_000 }),
  ]);
  const expected = fresh();
  stepCandles(expected, trades[0]!, arrivals[0]);
  stepCandles(expected, trades[1]!, arrivals[1]);
  assertEquals(ticked?.candles, tickCandles(expected, 2_000 + 61_000));
  assert((ticked?.candles.length ?? 0) > 0, "the idle window closed");
});

Deno.test("candles() takes a candle file's bars through the same reducer", async () => {
  const bars = [0, 1, 2, 4].map((m) => bar("BTC/USD", m, 100 + m));
  const [batch] = await through(candles(fresh(), { flushOnEnd: false }), [batchOf([], { bars })]);
  const state = fresh();
  assertEquals(batch?.candles, bars.flatMap((b) => stepCandle(state, b)));
  assertEquals(
    batch?.candles.filter((c) => c.window === "1m").length,
    5,
    "the missing minute is a flat candle",
  );
});

Deno.test("candles() gives each batch a copy of the state as of that batch", async () => {
  const [one, two] = await through(candles(fresh()), [batchOf(trades.slice(0, 4)), batchOf(trades.slice(4))]);
  const state = fresh();
  for (const t of trades.slice(0, 4)) stepCandles(state, t);
  assertEquals(one?.state.candles, state);
  assert(one?.state.candles !== two?.state.candles);
});

Deno.test("candles() passes a source error through", async () => {
  await assertPassesErrors(candles(fresh()), batchOf(trades.slice(0, 1)));
});

Deno.test("candles() passes cancellation to its source", async () => {
  await assertPassesCancellation(candles(fresh()), batchOf([]));
});

Deno.test("closedCandles() returns the candles its trades close and advances the state, as the reducer does", () => {
  const state = fresh();
  const got = [...closedCandles(state, trades.slice(0, 10)), ...closedCandles(state, trades.slice(10))];
  const reducer = fresh();
  assertEquals(got, trades.flatMap((t) => stepCandles(reducer, t)));
  assertEquals(state, reducer);
});

Deno.test("candles() closes the open windows of the pairs a batch ends, after its trades, and only theirs", async () => {
  const eth = trades.map((t) => ({ ...t, pair: "ETH/USD" }));
  const [batch] = await through(candles(fresh(), { flushOnEnd: false }), [
    batchOf([...trades, ...eth], { ends: ["BTC/USD"] }),
  ]);
  const state = fresh();
  const expected = [...trades, ...eth].flatMap((t) => stepCandles(state, t));
  expected.push(...flushCandles(state, "BTC/USD"));
  forgetPair(state, "BTC/USD");
  assertEquals(batch?.candles, expected);
  assertEquals(batch?.state.candles, state);
});

Deno.test("after a pair's input ends, its next input starts a new series, as a second run would", async () => {
  // Two bounded inputs of one pair an hour apart (two files, say), through one long-lived stage.
  const later = trades.map((t) => ({ ...t, ts: t.ts + 3_600_000 }));
  const batches = await through(candles(fresh(), { flushOnEnd: false }), [
    batchOf(trades, { ends: ["BTC/USD"] }),
    batchOf(later, { ends: ["BTC/USD"] }),
  ]);
  const runOf = (input: typeof trades) => {
    const state = fresh();
    return [...input.flatMap((t) => stepCandles(state, t)), ...flushCandles(state)];
  };
  assertEquals(batches.flatMap((b) => b.candles), [...runOf(trades), ...runOf(later)]);
  assert(
    !batches[1]!.candles.some((c) => c.trades === 0),
    "no flat candles bridge the hour between the two inputs",
  );
});
