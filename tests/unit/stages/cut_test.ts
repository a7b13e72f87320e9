import { assertEquals, assertThrows } from "../../assert.ts";
import { cut, cutBars } from "../../../src/stages/cut.ts";
import type { Batch } from "../../../src/stages/batch.ts";
import type { Trade } from "../../../src/domain/trade.ts";
import { assertPassesCancellation, assertPassesErrors, bar, through, trade } from "./stage_helpers.ts";

const trades = [1, 2, 3, 4, 5].map((s) => trade("BTC/USD", s, 100 + s, s));
const fixed = { now: () => 0 };

Deno.test("cut() emits batches of the configured size", async () => {
  const batches = await through(cut({ size: 2, clock: fixed }), trades.slice(0, 4));
  assertEquals(batches.map((b) => b.trades), [trades.slice(0, 2), trades.slice(2, 4)]);
});

Deno.test("cut() given arrays of trades cuts the batches a trade at a time would", async () => {
  const many = Array.from({ length: 23 }, (_, i) => trade("BTC/USD", i + 1, 100 + i, i + 1));
  const seen: Trade[] = [];
  const source = ReadableStream.from([
    many.slice(0, 4),
    [],
    many.slice(4, 5),
    many.slice(5, 19),
    many.slice(19),
  ]);
  const batches = await Array.fromAsync(
    source.pipeThrough(cut({ size: 5, clock: fixed, observe: (t) => seen.push(t) })),
  );
  const single = await through(cut({ size: 5, clock: fixed }), many);
  assertEquals(batches.map((b) => b.trades), single.map((b) => b.trades));
  assertEquals(batches.map((b) => b.trades.length), [5, 5, 5, 5, 3]);
  assertEquals(seen, many);
});

Deno.test("cut() flushes the last partial batch when the input ends", async () => {
  const batches = await through(cut({ size: 2, clock: fixed }), trades);
  assertEquals(batches.map((b) => b.trades.length), [2, 2, 1]);
});

Deno.test("cut() emits no batch for an empty input", async () => {
  assertEquals(await through(cut({ clock: fixed }), [] as Trade[]), []);
});

Deno.test("cut() hands a batch on once the clock says `ms` passed since the last cut", async () => {
  let now = 0;
  const clock = { now: () => now };
  const source = ReadableStream.from((function* () {
    yield trades[0]!;
    yield trades[1]!;
    now = 300;
    yield trades[2]!;
    yield trades[3]!;
  })());
  const batches = await Array.fromAsync(source.pipeThrough(cut({ size: 100, ms: 250, clock })));
  assertEquals(batches.map((b) => b.trades.length), [3, 1]);
});

Deno.test("cut() hands on a partial batch after `ms` without more input", async () => {
  let source!: ReadableStreamDefaultController<Trade>;
  const reader = new ReadableStream<Trade>({ start: (c) => void (source = c) })
    .pipeThrough(cut({ size: 100, ms: 5, clock: fixed })).getReader();
  source.enqueue(trades[0]!);
  source.enqueue(trades[1]!);
  const first = await reader.read();
  assertEquals(first.value?.trades, trades.slice(0, 2));
  source.close();
  assertEquals((await reader.read()).done, true);
});

Deno.test("cut() with an idle tick emits a batch carrying the tick while the source is live", async () => {
  let live = false;
  let source!: ReadableStreamDefaultController<Trade>;
  const idle = { isLive: () => live, everyMs: 5 };
  const reader = new ReadableStream<Trade>({ start: (c) => void (source = c) })
    .pipeThrough(cut({ size: 100, ms: 60_000, clock: { now: () => 42 }, idle })).getReader();
  source.enqueue(trades[0]!);
  await new Promise((r) => setTimeout(r, 20));
  live = true;
  const ticked = (await reader.read()).value as Batch;
  assertEquals([ticked.trades, ticked.tick], [[trades[0]!], 42], "the waiting trade goes with the tick");
  source.close();
  await reader.cancel();
});

Deno.test("cut() with the market's clock gives each idle tick its time as the cap", async () => {
  let source!: ReadableStreamDefaultController<Trade>;
  const idle = { isLive: () => true, everyMs: 5, market: () => 7_000 };
  const reader = new ReadableStream<Trade>({ start: (c) => void (source = c) })
    .pipeThrough(cut({ size: 100, ms: 60_000, clock: { now: () => 42 }, idle })).getReader();
  const ticked = (await reader.read()).value as Batch;
  assertEquals([ticked.tick, ticked.tickCap], [42, 7_000]);
  source.close();
  await reader.cancel();
  // Without it, no cap.
  const plain = new ReadableStream<Trade>({ start: (c) => void (source = c) })
    .pipeThrough(
      cut({ size: 100, ms: 60_000, clock: { now: () => 42 }, idle: { ...idle, market: undefined } }),
    )
    .getReader();
  assertEquals(((await plain.read()).value as Batch).tickCap, undefined);
  source.close();
  await plain.cancel();
});

Deno.test("cut() with an idle tick keeps each trade's arrival time", async () => {
  let now = 10;
  const clock = { now: () => now++ };
  const [batch] = await through(
    cut({ size: 3, clock, idle: { isLive: () => false, everyMs: 60_000 } }),
    trades,
  );
  assertEquals(batch?.arrivals, [11, 12, 13]);
});

Deno.test("cut() without an idle tick keeps no arrival times", async () => {
  const [batch] = await through(cut({ size: 3, clock: fixed }), trades);
  assertEquals(batch?.arrivals, undefined);
});

Deno.test("cut() calls observe with every trade as it is taken in", async () => {
  const seen: Trade[] = [];
  await through(cut({ clock: fixed, observe: (t) => seen.push(t) }), trades);
  assertEquals(seen, trades);
});

Deno.test("cutBars() batches a candle file's candles as bars", async () => {
  const bars = [bar("BTC/USD", 0, 1), bar("BTC/USD", 1, 2), bar("BTC/USD", 2, 3)];
  const batches = await through(cutBars({ size: 2, clock: fixed }), bars);
  assertEquals(batches.map((b) => [b.bars, b.trades]), [[bars.slice(0, 2), []], [bars.slice(2), []]]);
});

Deno.test("cut() throws RangeError on a size or ms that is not positive", () => {
  assertThrows(() => cut({ size: 0 }), RangeError, "size must be a positive integer, not 0");
  assertThrows(() => cut({ size: 1.5 }), RangeError, "not 1.5");
  assertThrows(() => cut({ ms: 0 }), RangeError, "ms must be positive, not 0");
  assertThrows(() => cut({ idle: { isLive: () => true, everyMs: -1 } }), RangeError, "idle.everyMs");
});

Deno.test("cut() passes a source error through", async () => {
  await assertPassesErrors(cut({ clock: fixed }), trades[0]!);
});

Deno.test("cut() passes cancellation to its source", async () => {
  await assertPassesCancellation(cut({ size: 1, clock: fixed }), trades[0]!);
});

Deno.test("cut() stops its idle ticks when its reader cancels", async () => {
  let asked = 0;
  const idle = { isLive: () => (asked++, false), everyMs: 2 };
  const reader = new ReadableStream<Trade>({ pull: (c) => c.enqueue(trades[0]!) })
    .pipeThrough(cut({ size: 1, clock: fixed, idle })).getReader();
  await reader.read();
  await reader.cancel();
  const before = asked;
  await new Promise((r) => setTimeout(r, 30));
  assertEquals(asked, before);
});
