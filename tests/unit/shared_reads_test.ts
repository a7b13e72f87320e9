import { assertEquals, assertThrows } from "../assert.ts";
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
