/** Errors opening or reading a store say what and where, and keep what caused them. */
import { assert, assertEquals } from "../assert.ts";
import { runPipeline } from "../helpers.ts";
import { closedPort, output, withTempDir } from "../task_process.ts";
import { CheckpointFile, jobFileName } from "../../src/stores/checkpoint_file.ts";
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

/** Runs `fn` while another process holds the offline store at `path` open for writing. */
async function whileHeld(path: string, fn: () => Promise<void>): Promise<void> {
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
    await fn();
  } finally {
    await holder.stdin.close();
    reader.releaseLock();
    await holder.stdout.cancel();
    await holder.status;
  }
}

Deno.test("opening an offline store another process holds says so and keeps the cause", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/offline.duckdb`;
    await whileHeld(path, async () => {
      const e = await failure(() => DuckDbFeatureStore.open(path));
      assert(e.message.includes("is open in another process"), e.message);
      // news writes the offline store too: a news export while news polls must not point at ingest alone.
      assert(e.message.includes("news"), e.message);
      // The demo holds its own data dir's store, so a second demo there is pointed at it too.
      assert(e.message.includes("start or demo?"), e.message);
      assert(e.cause instanceof Error && /lock/i.test(e.cause.message), String(e.cause));
    });
  });
});

Deno.test("ingest and backfill on a data dir another process holds stop before cutting its record", async () => {
  await withTempDir(async (dir) => {
    const restUrl = `http://127.0.0.1:${closedPort()}`;
    const record = `${dir}/live.jsonl`;
    // The running process wrote two lines since its checkpoint, which saw only the first.
    const first = '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1,"trade_id":1}\n';
    const text = first + first.replace('"trade_id":1', '"trade_id":2').repeat(2);
    const range = "2019-07-01T00:00:00.000Z..2019-07-01T01:00:00.000Z";
    const runs = [
      {
        job: `ingest ${restUrl}`,
        task: "ingest",
        args: ["--ws-url", `ws://127.0.0.1:${closedPort()}/v2`, "--rest-url", restUrl],
      },
      {
        job: `backfill ${restUrl} BTC/USD ${range} 1m,5m`,
        task: "backfill",
        args: ["--from", "2019-07-01T00:00:00Z", "--to", "2019-07-01T01:00:00Z", "--rest-url", restUrl],
      },
      // A file's record is rewritten whole.
      { job: "file", task: "backfill", args: ["--file", "t.jsonl"] },
    ];
    await Deno.writeTextFile(`${dir}/t.jsonl`, first);
    await Deno.mkdir(`${dir}/d`);
    await whileHeld(`${dir}/d/offline.duckdb`, async () => {
      for (const { job, task, args } of runs) {
        await Deno.writeTextFile(record, text);
        await new CheckpointFile(`${dir}/d/checkpoints/${jobFileName(job)}.json`).save({
          version: 1,
          job,
          pairs: {},
          updated_at: new Date().toISOString(),
          record: { path: record, bytes: first.length },
        });
        const { code, stderr } = await output(runPipeline(task, [
          "--pairs",
          "BTC/USD",
          "--record",
          record,
          "--data-dir",
          "d",
          ...args,
        ], dir));
        assertEquals(code, 1, stderr);
        assert(stderr.includes("is open in another process"), stderr);
        assertEquals(await Deno.readTextFile(record), text, `${task} ${args[0]} cut the record`);
      }
    });
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
