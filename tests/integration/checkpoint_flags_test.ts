/**
 * A checkpoint that cannot be continued with the flags given is bad input, like a bad flag: one
 * line naming the flags and the checkpoint, exit status 2, before any connection is tried.
 */
import { assert, assertEquals } from "../assert.ts";
import { closedPort } from "../task_process.ts";
import { runPipeline } from "../helpers.ts";
import { CheckpointFile, jobFileName } from "../../src/stores/checkpoint_file.ts";
import { initialFeatureState } from "../../src/transforms/features.ts";

Deno.test("ingest resuming a checkpoint made with other --windows exits 2 naming the flags and the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const restUrl = `http://127.0.0.1:${closedPort()}`;
    const path = `${dir}/checkpoints/${jobFileName(`ingest ${restUrl}`)}.json`;
    await new CheckpointFile(path).save({
      version: 1,
      job: `ingest ${restUrl}`,
      pairs: { "BTC/USD": { ts: Date.UTC(2024, 0, 1), trade_id: 7, trades: 7 } },
      features: initialFeatureState({ windows: ["1m"], graceMs: 5000 }),
      updated_at: new Date(0).toISOString(),
    });
    const args = [
      "--pairs",
      "BTC/USD",
      "--windows",
      "5m",
      "--data-dir",
      dir,
      "--rest-url",
      restUrl,
      "--ws-url",
      `ws://127.0.0.1:${closedPort()}/v2`,
    ];
    const { code, stderr } = await runPipeline("ingest", args, dir).output();
    const text = new TextDecoder().decode(stderr);
    assertEquals(code, 2, text);
    const errors = text.trim().split("\n").filter((l) => l.startsWith("error:"));
    assertEquals(errors, [
      `error: ${path} was made with --windows 1m --grace 5; run with the same, or use another --data-dir`,
    ]);
    assert(!text.includes("unreachable"), text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
