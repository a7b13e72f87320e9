/** Files replaced whole: the one atomic writer and the files written through it. */
import { assert, assertEquals } from "../assert.ts";
import { withTempDir } from "../task_process.ts";
import { writeFileAtomic } from "../../src/stores/atomic_file.ts";
import { CheckpointFile, type TradeCheckpoint } from "../../src/stores/checkpoint_file.ts";
import { SeenIds } from "../../src/stores/seen_ids.ts";

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("writeFileAtomic replaces a file whole, creating its directory, and leaves no temporary file", async () => {
  await withTempDir(async (dir) => {
    await writeFileAtomic(`${dir}/a/b/state.json`, "old");
    await writeFileAtomic(`${dir}/a/b/state.json`, new TextEncoder().encode("new"));
    assertEquals(await Deno.readTextFile(`${dir}/a/b/state.json`), "new");
    assertEquals(await names(`${dir}/a/b`), ["state.json"]);
  });
});

Deno.test("a write that cannot be renamed into place names the path, keeps its cause and leaves no temporary file", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/taken/inside`, { recursive: true });
    let error: Error | undefined;
    try {
      await writeFileAtomic(`${dir}/taken`, "x");
    } catch (e) {
      error = e as Error;
    }
    assert(error !== undefined && error.message.startsWith(`cannot write ${dir}/taken: `), error?.message);
    assert(error.cause instanceof Error, "the cause is kept");
    assertEquals(await names(dir), ["taken"]);
  });
});

Deno.test("checkpoint saves that overlap each land whole, and none fails", async () => {
  await withTempDir(async (dir) => {
    const file = new CheckpointFile(`${dir}/checkpoints/job.json`);
    const state = (n: number): TradeCheckpoint => ({
      version: 1,
      job: "job",
      pairs: { "BTC/USD": { ts: n, trade_id: n, trades: n } },
      updated_at: "x".repeat(20_000 + n),
    });
    await Promise.all(Array.from({ length: 20 }, (_, n) => file.save(state(n))));
    const saved = await file.load();
    assert(saved !== null);
    assertEquals(saved.updated_at.length, 20_000 + saved.pairs["BTC/USD"]!.ts);
    assertEquals(await names(`${dir}/checkpoints`), ["job.json"]);
  });
});

Deno.test("seen news ids are saved whole and read back", async () => {
  await withTempDir(async (dir) => {
    const seen = await SeenIds.open(`${dir}/news/seen.json`);
    seen.add("1");
    seen.add("2");
    await seen.save();
    const again = await SeenIds.open(`${dir}/news/seen.json`);
    assertEquals([again.has("1"), again.has("2"), again.size], [true, true, 2]);
    assertEquals(await names(`${dir}/news`), ["seen.json"]);
  });
});
