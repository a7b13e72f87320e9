import { assert, assertEquals } from "../assert.ts";
import { backoffDelay } from "../../src/sources/backoff.ts";
import { RateLimiter } from "../../src/sources/rate_limiter.ts";
import { AsyncQueue } from "../../src/util/async_queue.ts";
import { TradeBook } from "../../src/sim/book.ts";
import { syntheticTrades } from "../helpers.ts";

Deno.test("backoffDelay() grows exponentially up to the cap, with full jitter", () => {
  assertEquals(backoffDelay(0, { baseMs: 100 }, () => 1), 100);
  assertEquals(backoffDelay(3, { baseMs: 100 }, () => 1), 800);
  assertEquals(backoffDelay(30, { baseMs: 100, maxMs: 5000 }, () => 1), 5000);
  assertEquals(backoffDelay(5, { baseMs: 100 }, () => 0), 0);
  assertEquals(backoffDelay(2, { baseMs: 100 }, () => 0.5), 200);
});

Deno.test("RateLimiter() spaces calls and honours pauses", async () => {
  const limiter = new RateLimiter(50);
  const start = performance.now();
  for (let i = 0; i < 6; i++) await limiter.take();
  const elapsed = performance.now() - start;
  assert(elapsed >= 95, `6 calls at 50/s took ${elapsed} ms`);
  limiter.pause(100);
  const before = performance.now();
  await limiter.take();
  assert(performance.now() - before >= 90);
});

Deno.test("AsyncQueue() hands items over in order, then ends after close", async () => {
  const q = new AsyncQueue<number>();
  const got: (number | undefined)[] = [];
  const reading = (async () => {
    for (let i = 0; i < 4; i++) got.push(await q.next());
  })();
  q.push(1);
  await Promise.resolve();
  q.push(2);
  q.push(3);
  q.close();
  q.push(4);
  await reading;
  assertEquals(got, [1, 2, 3, undefined]);
});

Deno.test("AsyncQueue.next() rejects when its signal aborts", async () => {
  const q = new AsyncQueue<number>();
  const controller = new AbortController();
  const pending = q.next(controller.signal);
  controller.abort(new Error("stop"));
  let error: unknown;
  await pending.catch((e) => error = e);
  assertEquals((error as Error).message, "stop");
});

Deno.test("TradeBook() orders by time and numbers trades per pair when the file has no ids", () => {
  const trades = syntheticTrades(30, { pairs: ["BTC/USD", "ETH/USD"] }).reverse();
  const book = new TradeBook(trades);
  for (const list of book.byPair.values()) {
    list.forEach((t, i) => assertEquals(t.trade_id, i + 1));
    for (let i = 1; i < list.length; i++) assert((list[i]?.ts ?? 0) >= (list[i - 1]?.ts ?? 0));
  }
  assertEquals(book.all.length, 30);
  const btc = book.byPair.get("BTC/USD") ?? [];
  const mid = btc[7]!;
  assertEquals(book.since("BTC/USD", mid.ts, Infinity, 3)[0]?.ts, mid.ts);
  assertEquals(book.since("BTC/USD", 0, btc[2]!.ts, 1000).length >= 3, true);
  assertEquals(book.latest("BTC/USD", Infinity, 2).map((t) => t.trade_id), [14, 15]);
});
