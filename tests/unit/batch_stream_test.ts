/** BatchStream: full batches at once, a partial one after a quiet spell, nothing after a cancel. */
import { assertEquals } from "../assert.ts";
import { BatchStream } from "../../src/util/batches.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("BatchStream() hands on full batches, and the rest when the input ends", async () => {
  const out = await Array.fromAsync(
    ReadableStream.from([1, 2, 3, 4, 5]).pipeThrough(new BatchStream(2, 1000)),
  );
  assertEquals(out, [[1, 2], [3, 4], [5]]);
});

Deno.test("BatchStream() hands on a partial batch once no item has come for idleMs", async () => {
  let source!: ReadableStreamDefaultController<number>;
  const reader = new ReadableStream<number>({ start: (c) => void (source = c) })
    .pipeThrough(new BatchStream(10, 20)).getReader();
  source.enqueue(1);
  source.enqueue(2);
  assertEquals((await reader.read()).value, [1, 2]);
  await reader.cancel();
});

Deno.test("BatchStream() cancelled with a partial batch waiting drops it instead of handing it to no one", async () => {
  const reader = new ReadableStream<number>({ start: (c) => c.enqueue(1) })
    .pipeThrough(new BatchStream(10, 20)).getReader();
  // A read waiting lets the item in: a partial batch, its idle timer set.
  const waiting = reader.read();
  await pause(5);
  await reader.cancel();
  assertEquals((await waiting).done, true);
  // The idle timer would fire here, into a cancelled stream: an uncaught error that fails this test.
  await pause(60);
});
