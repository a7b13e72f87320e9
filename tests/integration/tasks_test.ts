/**
 * The tasks as a user runs them: real subprocesses, real signals, against the simulator on loopback.
 */
import { assert, assertEquals } from "../assert.ts";
import { output } from "../task_process.ts";
import { essence, runPipeline, syntheticTrades, withSim } from "../helpers.ts";
import type { Trade } from "../../src/domain/trade.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const task = runPipeline;

async function lines(path: string): Promise<Trade[]> {
  try {
    const text = await Deno.readTextFile(path);
    return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${ms} ms`);
}

Deno.test("backfill killed halfway and restarted records every trade exactly once", async () => {
  const dir = await Deno.makeTempDir();
  const trades = syntheticTrades(3_500, { spanMs: 3_000_000, seed: 11 });
  await withSim(trades, { speed: 1e9 }, async (sim, book) => {
    const from = new Date(book.firstTs).toISOString();
    const to = new Date(book.lastTs + 1).toISOString();
    const args = [
      "--rest-url",
      sim.restUrl,
      "--pairs",
      "BTC/USD",
      "--from",
      from,
      "--to",
      to,
      "--record",
      "rest.jsonl",
    ];
    const first = task("backfill", [...args, "--rest-rate", "4"], dir);
    await waitFor(async () => (await lines(`${dir}/rest.jsonl`)).length >= 1000, 20_000);
    first.kill("SIGKILL");
    await output(first);
    const partial = (await lines(`${dir}/rest.jsonl`)).length;
    assert(partial > 0 && partial < 3_500, `killed with ${partial} trades recorded`);

    const second = await output(task("backfill", [...args, "--rest-rate", "50"], dir));
    assertEquals(second.code, 0, second.stderr);
    assert(second.stderr.includes("resuming from"), second.stderr);
    assertEquals((await lines(`${dir}/rest.jsonl`)).map(essence), book.all.map(essence));

    const third = await output(task("backfill", args, dir));
    assertEquals(third.code, 0);
    assert(third.stderr.includes("already complete"), third.stderr);
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ingest through drops and malformed frames, stopped with Ctrl-C, recorded exactly the replay", async () => {
  const dir = await Deno.makeTempDir();
  const trades = syntheticTrades(1_500, { spanMs: 600_000, seed: 12 });
  await withSim(trades, { speed: 150, dropEverySec: 1, malformedEvery: 25 }, async (sim, book) => {
    const child = task("ingest", [
      "--ws-url",
      sim.wsUrl,
      "--rest-url",
      sim.restUrl,
      "--pairs",
      "BTC/USD",
      "--from",
      new Date(book.firstTs).toISOString(),
      "--rest-rate",
      "20",
      "--record",
      "live.jsonl",
    ], dir);
    await sim.replayed;
    await waitFor(async () => (await lines(`${dir}/live.jsonl`)).length >= 1_500, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGINT");
    const { code, stderr } = await output(child);
    assertEquals(code, 0, stderr);
    assert(stderr.includes("checkpoint saved"), stderr);
    assertEquals((await lines(`${dir}/live.jsonl`)).map(essence), book.all.map(essence));
    assert(sim.stats.drops > 0 && sim.stats.malformed > 0);
    const checkpoints = [...Deno.readDirSync(`${dir}/data/checkpoints`)].map((e) => e.name);
    assertEquals(checkpoints.length, 1);
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a bad flag exits with status 2 and one line naming it", async () => {
  const dir = await Deno.makeTempDir();
  for (
    const [script, args, says] of [
      ["ingest", ["--pairs", "BTC/USD", "--bogus"], "error: unknown flag --bogus"],
      ["backfill", ["--pairs", "nope", "--from", "2019-07-01"], "error: --pairs: 'nope' is not a pair"],
      ["sim", ["--file", "x.csv", "--speed", "fast"], "error: --speed: 'fast' is not a positive number"],
    ] as const
  ) {
    const { code, stderr } = await output(task(script, [...args], dir));
    assertEquals(code, 2, stderr);
    const printed = stderr.trim().split("\n");
    assertEquals(printed.length, 1, stderr);
    assert(printed[0]?.startsWith(says), stderr);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("backfill --file fails on a bad line with its number, or skips and counts with --skip-bad-lines", async () => {
  const dir = await Deno.makeTempDir();
  const fixture = `${ROOT}tests/fixtures/bad_lines.csv`;
  const failed = await output(task("backfill", ["--file", fixture], dir));
  assertEquals(failed.code, 1);
  assert(failed.stderr.includes("bad_lines.csv:3: price"), failed.stderr);
  const skipped = await output(
    task("backfill", ["--file", fixture, "--skip-bad-lines", "--record", "out.jsonl"], dir),
  );
  assertEquals(skipped.code, 0, skipped.stderr);
  assert(skipped.stderr.includes("2 bad lines skipped"), skipped.stderr);
  assertEquals((await lines(`${dir}/out.jsonl`)).length, 2);
  await Deno.remove(dir, { recursive: true });
});
