import { assert, assertEquals, assertThrows } from "../assert.ts";
import { SharedReads } from "../../src/serve/shared_reads.ts";

Deno.test("SharedReads() answers a key from one read until it is ttlMs old, then reads again", async () => {
  let now = 0;
  let reads = 0;
  const shared = new SharedReads({ ttlMs: 1000, clock: () => now });
  const read = () => Promise.resolve(++reads);
  assertEquals(await Promise.all([shared.get("a", read), shared.get("a", read)]), [1, 1]);
  now = 999;
  assertEquals(await shared.get("a", read), 1);
  assertEquals(await shared.get("b", read), 2);
  now = 1000;
  assertEquals(await shared.get("a", read), 3);
});

Deno.test("SharedReads() forgets a failed read, so the next request reads again", async () => {
  let fail = true;
  const shared = new SharedReads({ clock: () => 0 });
  const read = () => fail ? Promise.reject(new Error("store down")) : Promise.resolve("ok");
  let message = "";
  await shared.get("a", read).catch((e) => message = e.message);
  assertEquals(message, "store down");
  fail = false;
  assertEquals(await shared.get("a", read), "ok");
});

Deno.test("SharedReads() refuses a ttl that is not positive", () => {
  assertThrows(() => new SharedReads({ ttlMs: 0 }), RangeError, "ttlMs must be positive");
});

Deno.test("SharedReads().getNow() gives the value itself once the read has answered, a promise until then", async () => {
  let now = 0;
  let reads = 0;
  const shared = new SharedReads({ ttlMs: 1000, clock: () => now });
  const read = () => Promise.resolve(++reads);
  const first = shared.getNow("a", read);
  assert(first instanceof Promise);
  assertEquals(shared.getNow("a", read), first);
  assertEquals(await first, 1);
  assertEquals(shared.getNow("a", read), 1);
  now = 1000;
  const again = shared.getNow("a", read);
  assert(again instanceof Promise);
  assertEquals([await again, reads], [2, 2]);
});

Deno.test("SharedReads() with refreshAheadMs reads a key asked for near the end of its ttl again in the background, answering from the old read meanwhile", async () => {
  let now = 0;
  let reads = 0;
  let answer!: (n: number) => void;
  const shared = new SharedReads({ ttlMs: 1000, refreshAheadMs: 100, clock: () => now });
  const read = () => (++reads, new Promise<number>((r) => answer = r));
  const first = shared.getNow("a", read);
  answer(1);
  assertEquals(await first, 1);
  now = 899;
  assertEquals([shared.getNow("a", read), reads], [1, 1]);
  now = 900;
  assertEquals([shared.getNow("a", read), shared.getNow("a", read), reads], [1, 1, 2]);
  answer(2);
  await Promise.resolve();
  now = 1500;
  // The background read, made at 900, answers until 1900.
  assertEquals([shared.getNow("a", read), reads], [2, 2]);
  now = 1900;
  const next = shared.getNow("a", read);
  assert(next instanceof Promise, "a read 1000 ms old answers no more");
  answer(3);
  assertEquals([await next, reads], [3, 3]);
});

Deno.test("SharedReads() keeps answering from the old read until its ttl when the background read fails", async () => {
  let now = 0;
  let fail = false;
  const shared = new SharedReads({ ttlMs: 1000, refreshAheadMs: 100, clock: () => now });
  const read = () => fail ? Promise.reject(new Error("store down")) : Promise.resolve(now);
  assertEquals(await shared.getNow("a", read), 0);
  fail = true;
  now = 950;
  assertEquals(shared.getNow("a", read), 0);
  await new Promise((r) => setTimeout(r, 0));
  assertEquals(shared.getNow("a", read), 0);
  now = 1000;
  fail = false;
  assertEquals(await shared.getNow("a", read), 1000);
});

Deno.test("SharedReads() refuses a refreshAheadMs that is negative or not below ttlMs", () => {
  for (const refreshAheadMs of [-1, 1000, 2000]) {
    assertThrows(
      () => new SharedReads({ ttlMs: 1000, refreshAheadMs }),
      RangeError,
      "refreshAheadMs must be",
    );
  }
});
