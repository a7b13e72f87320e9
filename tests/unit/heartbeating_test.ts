import { assert, assertEquals } from "../assert.ts";
import { withHeartbeats } from "../../src/bus/heartbeating.ts";

Deno.test("withHeartbeats() heartbeats while the work runs, and not after it is done", async () => {
  let beats = 0;
  let enough: () => void = () => {};
  const twice = new Promise<void>((resolve) => enough = resolve);
  const heartbeat = () => {
    if (++beats === 2) enough();
    return Promise.resolve();
  };
  // The work finishes only after two heartbeats went out while it ran.
  const result = await withHeartbeats(() => twice.then(() => "written"), heartbeat, 10);
  assertEquals(result, "written");
  const after = beats;
  await new Promise((r) => setTimeout(r, 50));
  assertEquals(beats, after);
});

Deno.test("withHeartbeats() passes the work's error on and ignores failed heartbeats", async () => {
  let beats = 0;
  const heartbeat = () => {
    beats++;
    return Promise.reject(new Error("The coordinator is not aware of this member"));
  };
  let failed: unknown;
  try {
    await withHeartbeats(
      async () => {
        while (beats < 2) await new Promise((r) => setTimeout(r, 5));
        throw new Error("store is down");
      },
      heartbeat,
      10,
    );
  } catch (e) {
    failed = e;
  }
  assert(failed instanceof Error && failed.message === "store is down", String(failed));
});
