/**
 * Ctrl-C as a terminal sends it: SIGINT to the whole process group, and `deno task` forwards one
 * more to its child a few milliseconds later. The task must take both as one request, stop cleanly
 * (exit 0, checkpoint saved, stores closed) and continue on restart with nothing lost.
 */
import { assert, assertEquals } from "../assert.ts";
import { burstyTrades, runPipeline, withSim } from "../helpers.ts";
import { tradeToJsonLine } from "../../src/domain/trade.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { CSV_HEADER, rowToCsv } from "../../src/stores/feature_export.ts";
import { interruptAction, REPEAT_SIGNAL_MS } from "../../src/util/cli.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("interrupts: a repeat within a second is the same request, a later one forces the exit", () => {
  assertEquals(interruptAction(undefined, 5_000), "stop");
  assertEquals(interruptAction(5_000, 5_001), "same");
  assertEquals(interruptAction(5_000, 5_000 + REPEAT_SIGNAL_MS - 1), "same");
  assertEquals(interruptAction(5_000, 5_000 + REPEAT_SIGNAL_MS), "exit");
});

async function rows(dataDir: string): Promise<string[]> {
  const store = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`, { readOnly: true });
  try {
    return (await store.range("BTC/USD", "1m")).map(rowToCsv);
  } finally {
    store.close();
  }
}

/** The trades the checkpoint says were written so far (0 while there is none). */
async function checkpointedTrades(dataDir: string): Promise<number> {
  const dir = `${dataDir}/checkpoints`;
  const names = (await Array.fromAsync(Deno.readDir(dir)).catch(() => [])).filter((e) =>
    e.name.endsWith(".json")
  );
  if (names.length === 0) return 0;
  const text = await Deno.readTextFile(`${dir}/${names[0]!.name}`).catch(() => "{}");
  return JSON.parse(text).pairs?.["BTC/USD"]?.trades ?? 0;
}

async function waitFor(what: string, ok: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("interrupts: Ctrl-C to the process group of `deno task ingest` stops cleanly with 0, and a restart continues", async () => {
  const dir = await Deno.makeTempDir();
  const trades = burstyTrades(120, { seed: 4 });
  await Deno.writeTextFile(`${dir}/trades.jsonl`, trades.map(tradeToJsonLine).join("\n") + "\n");
  const whole = await runPipeline(
    "backfill",
    ["--file", `${dir}/trades.jsonl`, "--data-dir", `${dir}/whole`],
    dir,
  )
    .output();
  assertEquals(whole.code, 0, new TextDecoder().decode(whole.stderr));

  await withSim(trades, { speed: 300 }, async (sim, book) => {
    const data = `${dir}/live`;
    const args = [
      "--pairs",
      "BTC/USD",
      "--ws-url",
      sim.wsUrl,
      "--rest-url",
      sim.restUrl,
      "--from",
      String(book.firstTs),
      "--data-dir",
      data,
    ];
    // setsid: the task leads its own process group, as a shell's foreground job does.
    const task = new Deno.Command("setsid", {
      args: [Deno.execPath(), "task", "--config", `${ROOT}deno.json`, "ingest", ...args],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", LOG_FORMAT: "text" },
    }).spawn();
    const out = task.output();
    await waitFor("the first checkpointed trades", async () => (await checkpointedTrades(data)) > 200);
    Deno.kill(-task.pid, "SIGINT");
    const first = await out;
    const log = new TextDecoder().decode(first.stderr);
    assertEquals(first.code, 0, log.slice(-3000));
    assert(log.includes("stopped; checkpoint saved"), log.slice(-3000));
    assert(!log.includes("exiting without a clean stop"), log.slice(-3000));
    // A clean close merges DuckDB's write-ahead log into the file.
    await Deno.stat(`${data}/offline.duckdb.wal`).then(
      () => assert(false, "the DuckDB WAL was left behind"),
      () => {},
    );
    const stoppedAt = await checkpointedTrades(data);
    assert(stoppedAt < trades.length, "stopped mid-replay");

    const again = runPipeline("ingest", args, dir, { LOG_FORMAT: "text" });
    const againOut = again.output();
    await waitFor("the rest of the replay", async () => (await checkpointedTrades(data)) >= trades.length);
    again.kill("SIGINT");
    const second = await againOut;
    assertEquals(second.code, 0, new TextDecoder().decode(second.stderr).slice(-3000));
  });

  // The live series keeps its last window open in the checkpoint; every closed one equals the file's.
  const live = await rows(`${dir}/live`);
  const file = await rows(`${dir}/whole`);
  assert(live.length >= file.length - 1, `${live.length} live rows of ${file.length}`);
  assertEquals([CSV_HEADER, ...live].join("\n"), [CSV_HEADER, ...file.slice(0, live.length)].join("\n"));
  await Deno.remove(dir, { recursive: true });
});
