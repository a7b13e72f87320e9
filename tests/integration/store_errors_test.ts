/** Errors opening or reading a store say what and where, and keep what caused them. */
import { assert, assertEquals } from "../assert.ts";
import { withTempDir } from "../task_process.ts";
import { Registry } from "../../src/registry/registry.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { SeenIds } from "../../src/stores/seen_ids.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function failure(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a failure");
}

Deno.test("opening a missing offline store read-only says to run ingest first and keeps the cause", async () => {
  await withTempDir(async (dir) => {
    const e = await failure(() => DuckDbFeatureStore.open(`${dir}/offline.duckdb`, { readOnly: true }));
    assert(e.message.includes("run ingest or backfill first"), e.message);
    assert(e.cause instanceof Deno.errors.NotFound, String(e.cause));
  });
});

Deno.test("opening an offline store another process holds says so and keeps the cause", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/offline.duckdb`;
    const holder = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { DuckDbFeatureStore } from "${ROOT}src/stores/offline_duckdb.ts";
         const s = await DuckDbFeatureStore.open(${JSON.stringify(path)});
         console.log("held");
         await new Response(Deno.stdin.readable).text();
         s.close();`,
      ],
      cwd: ROOT,
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const reader = holder.stdout.getReader();
    try {
      assertEquals(new TextDecoder().decode((await reader.read()).value).trim(), "held");
      const e = await failure(() => DuckDbFeatureStore.open(path));
      assert(e.message.includes("is open in another process"), e.message);
      // news writes the offline store too: a news export while news polls must not point at ingest alone.
      assert(e.message.includes("news"), e.message);
      assert(e.cause instanceof Error && /lock/i.test(e.cause.message), String(e.cause));
    } finally {
      await holder.stdin.close();
      reader.releaseLock();
      await holder.stdout.cancel();
      await holder.status;
    }
  });
});

Deno.test("an unreadable seen-ids file is an error naming it that keeps the parse error", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/seen.json`, "[1, 2");
    const e = await failure(() => SeenIds.open(`${dir}/seen.json`));
    assert(e.message.startsWith(`${dir}/seen.json is unreadable`), e.message);
    assert(e.cause instanceof SyntaxError, String(e.cause));
  });
});

Deno.test("an unreadable model card is an error naming it that keeps the parse error", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/m/v0001`, { recursive: true });
    await Deno.writeTextFile(`${dir}/m/v0001/card.json`, "{");
    const e = await failure(() => new Registry(dir).card("m", "v0001"));
    assert(e.message.startsWith(`${dir}/m/v0001/card.json is unreadable`), e.message);
    assert(e.cause instanceof SyntaxError, String(e.cause));
  });
});
