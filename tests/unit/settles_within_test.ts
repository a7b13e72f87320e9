import { assertEquals } from "../assert.ts";
import { settlesWithin } from "../../src/util/abortable.ts";

Deno.test("settlesWithin() is true for a promise that settles in time, either way, and false past it", async () => {
  assertEquals(await settlesWithin(Promise.resolve(1), 1000), true);
  assertEquals(await settlesWithin(Promise.reject(new Error("refused")), 1000), true);
  let release = () => {};
  const late = new Promise<void>((resolve) => release = resolve);
  assertEquals(await settlesWithin(late, 20), false);
  release();
});
