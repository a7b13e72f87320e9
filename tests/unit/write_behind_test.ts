import { assert, assertEquals, assertRejects } from "../assert.ts";
import { WriteBehind } from "../../src/jobs/write_behind.ts";

/** A write that waits until released, recording what it was given. */
function gatedWrites() {
  const calls: number[][] = [];
  const gates: (() => void)[] = [];
  const write = (batches: number[]) => {
    calls.push([...batches]);
    return new Promise<void>((resolve) => gates.push(resolve));
  };
  const releaseNext = async () => {
    while (gates.length === 0) await new Promise((r) => setTimeout(r, 1));
    gates.shift()!();
  };
  return { calls, write, releaseNext };
}

Deno.test("write-behind: the batches pushed while a write runs go together in the next, in order", async () => {
  const g = gatedWrites();
  const writer = new WriteBehind<number>(g.write, () => 1, 100);
  await writer.push(1);
  await writer.push(2);
  await writer.push(3);
  assertEquals(g.calls, [[1]], "only the first is being written");
  await g.releaseNext();
  await g.releaseNext();
  await writer.close();
  assertEquals(g.calls, [[1], [2, 3]]);
});

Deno.test("write-behind: a full queue makes push wait for the writes", async () => {
  const g = gatedWrites();
  const writer = new WriteBehind<number>(g.write, (n) => n, 10);
  await writer.push(4);
  await writer.push(4);
  let pushed = false;
  const third = writer.push(6).then(() => pushed = true);
  await new Promise((r) => setTimeout(r, 10));
  assert(!pushed, "4 + 6 queued reaches the bound of 10: push waits");
  await g.releaseNext();
  await g.releaseNext();
  await third;
  assertEquals(g.calls, [[4], [4, 6]]);
  await writer.close();
});

Deno.test("write-behind: after a failed write nothing more is written, and the failure reaches push and close", async () => {
  const calls: number[][] = [];
  const writer = new WriteBehind<number>(
    (batches) => {
      calls.push(batches);
      return Promise.reject(new Error("disk full"));
    },
    () => 1,
    100,
  );
  await writer.push(1);
  await new Promise((r) => setTimeout(r, 1));
  await assertRejects(() => writer.push(2), Error, "disk full");
  await assertRejects(() => writer.close(), Error, "disk full");
  assertEquals(calls, [[1]]);
});
