import { assertEquals } from "../assert.ts";
import { lowerThreadPriority, threadPriority } from "../../src/registry/thread_priority.ts";

Deno.test({
  name: "thread priority: a Worker lowers its own thread only, the serving thread keeps its priority",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const before = threadPriority();
    if (!("nice" in before)) throw new Error(before.skipped);
    const worker = new Worker(new URL("../fixtures/workers/niced.ts", import.meta.url).href, {
      type: "module",
    });
    try {
      const { result, after } = await new Promise<{ result: unknown; after: { tid: number; nice: number } }>(
        (resolve, reject) => {
          worker.onmessage = (e) => resolve(e.data);
          worker.onerror = (e) => {
            e.preventDefault();
            reject(new Error(e.message));
          };
        },
      );
      const expected = Math.max(before.nice, 7);
      assertEquals(result, { nice: expected });
      assertEquals(after.nice, expected);
      assertEquals(after.tid !== before.tid, true);
      assertEquals(threadPriority(), before);
    } finally {
      worker.terminate();
    }
  },
});

Deno.test("thread priority: without FFI permission nothing changes and nothing throws", async () => {
  const status = await Deno.permissions.query({ name: "ffi" });
  if (status.state === "granted") {
    // The test task grants FFI; the refusal path is checked in a child without it.
    const script = await Deno.makeTempFile({ suffix: ".ts" });
    await Deno.writeTextFile(
      script,
      `import { lowerThreadPriority } from "${
        new URL("../../src/registry/thread_priority.ts", import.meta.url).href
      }"; console.log(JSON.stringify(lowerThreadPriority()));`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--no-lock", "--allow-read", script],
      stdout: "piped",
      stderr: "piped",
    });
    const out = await child.output().finally(() => Deno.remove(script));
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const result = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals(result, { skipped: "no FFI permission (--allow-ffi)" });
  } else {
    assertEquals(lowerThreadPriority(), { skipped: "no FFI permission (--allow-ffi)" });
  }
});
