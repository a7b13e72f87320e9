import { assertEquals, assertRejects } from "../assert.ts";
import { streamHead } from "../../src/util/stream_head.ts";

Deno.test("streamHead() reads the first items and hands on a stream that still begins with them", async () => {
  const { head, stream } = await streamHead(ReadableStream.from([1, 2, 3, 4, 5]), 2);
  assertEquals(head, [1, 2]);
  assertEquals(await Array.fromAsync(stream), [1, 2, 3, 4, 5]);
});

Deno.test("streamHead() of a stream shorter than the head reads it all", async () => {
  const { head, stream } = await streamHead(ReadableStream.from([1]), 50);
  assertEquals(head, [1]);
  assertEquals(await Array.fromAsync(stream), [1]);
});

Deno.test("streamHead() rejects on a failure in the head, and later ones fail the stream", async () => {
  async function* failing(at: number) {
    for (let i = 0;; i++) {
      if (i === at) throw new TypeError(`bad item ${i}`);
      yield i;
    }
  }
  await assertRejects(() => streamHead(ReadableStream.from(failing(1)), 3), TypeError, "bad item 1");
  const { stream } = await streamHead(ReadableStream.from(failing(4)), 3);
  await assertRejects(() => Array.fromAsync(stream), TypeError, "bad item 4");
});
