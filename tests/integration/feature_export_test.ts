/**
 * `deno task features export` and `features tail` as a user runs them, on a real offline store:
 * the bytes the export wrote when it built its whole text in memory; a file that appears under its
 * target's name only when complete; and one Ctrl-C that stops either task with 130.
 */
import { assert, assertEquals } from "../assert.ts";
import type { FeatureRowWithNews } from "../../src/domain/feature_row.ts";
import { EXPORT_CSV_HEADER, exportCsv, exportJson } from "../../src/stores/feature_export.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { runPipeline } from "../helpers.ts";
import { readUntil, withTempDir } from "../task_process.ts";
import { MIN, T0, writeExportStore } from "../export_fixtures.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

/** The export as it was written before it streamed: every row read at once, one string. */
function previousExport(rows: readonly FeatureRowWithNews[], format: "csv" | "jsonl"): string {
  const lines = format === "csv" ? [EXPORT_CSV_HEADER, ...rows.map(exportCsv)] : rows.map(exportJson);
  return lines.join("\n") + (lines.length ? "\n" : "");
}

async function previous(data: string, format: "csv" | "jsonl", from?: number, to?: number): Promise<string> {
  const store = await DuckDbFeatureStore.open(`${data}/offline.duckdb`, { readOnly: true });
  try {
    return previousExport(await store.rangeWithNews("BTC/USD", "1m", from, to), format);
  } finally {
    store.close();
  }
}

async function features(args: string[], cwd: string) {
  const { code, stdout, stderr } = await runPipeline("features", args, cwd).output();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** Whether `dir` holds a partial file of an export, with at least its first bytes. */
async function partialWritten(dir: string): Promise<boolean> {
  for await (const e of Deno.readDir(dir)) {
    if (e.name.includes(".partial-") && (await Deno.stat(`${dir}/${e.name}`)).size > 0) return true;
  }
  return false;
}

async function waitFor(what: string, ok: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The rest of `stream`, read after `readUntil` took its start. */
async function rest(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const bytes of stream) text += decoder.decode(bytes, { stream: true });
  return text;
}

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

/** `deno task features ARGS` leading its own process group, as a shell's foreground job does. */
function featuresTask(args: string[], cwd: string): Deno.ChildProcess {
  return new Deno.Command("setsid", {
    args: [Deno.execPath(), "task", "--config", `${ROOT}deno.json`, "features", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", LOG_FORMAT: "text" },
  }).spawn();
}

Deno.test("features export: CSV to a file and JSONL to stdout are byte for byte what the whole-text export wrote", async () => {
  await withTempDir(async (dir) => {
    const data = `${dir}/data`;
    await Deno.mkdir(data);
    await writeExportStore(`${data}/offline.duckdb`);
    const base = ["export", "--pair", "BTC/USD", "--window", "1m", "--data-dir", data];

    const csv = await features([...base, "--out", `${dir}/f.csv`], dir);
    assertEquals(csv.code, 0, csv.stderr);
    assert(csv.stderr.includes(`33000 BTC/USD 1m rows (2024-01-01T00:00:00.000Z .. `), csv.stderr);
    assert((await Deno.readTextFile(`${dir}/f.csv`)) === await previous(data, "csv"), "the CSV differs");

    // Across the gap, from inside one run of rows to inside the other.
    const [from, to] = [T0 + 24_000 * MIN, T0 + 66_000 * MIN];
    const range = ["--from", String(from), "--to", new Date(to).toISOString()];
    const jsonl = await features([...base, "--format", "jsonl", "--out", "-", ...range], dir);
    assertEquals(jsonl.code, 0, jsonl.stderr);
    assert(jsonl.stdout === await previous(data, "jsonl", from, to), "the JSONL differs");
    assertEquals(jsonl.stdout.split("\n").length, 2_001);

    const inGap = ["--from", String(T0 + 30_000 * MIN), "--to", String(T0 + 60_000 * MIN)];
    const empty = await features(
      [...base, "--out", `${dir}/e.csv`, ...inGap],
      dir,
    );
    assertEquals(empty.code, 0, empty.stderr);
    assert(empty.stderr.includes("no BTC/USD 1m rows"), empty.stderr);
    assertEquals(await Deno.readTextFile(`${dir}/e.csv`), EXPORT_CSV_HEADER + "\n");
    assertEquals(await names(dir), ["data", "e.csv", "f.csv"]);

    // A series the store does not hold, or an --out with nowhere to go: exit 2, no file written.
    const held = "it holds BTC/USD 1m (";
    const cases: [string[], string][] = [
      [
        ["--out", `${dir}/g.csv`, "--pair", "SOL/USD"],
        `--pair SOL/USD --window 1m: the offline store has no rows`,
      ],
      [
        ["--out", `${dir}/g.csv`, "--window", "1h"],
        `--pair BTC/USD --window 1h: the offline store has no rows`,
      ],
      [["--out", `${dir}/nowhere/g.csv`], `--out: no such directory: ${dir}/nowhere`],
    ];
    for (const [args, says] of cases) {
      // The case's flags replace the base's: a flag given twice is refused.
      const kept = base.filter((a, i) => !args.includes(a) && !args.includes(base[i - 1]!));
      const bad = await features([...kept, ...args], dir);
      assertEquals(bad.code, 2, bad.stderr);
      assert(bad.stderr.includes(says), bad.stderr);
      if (!says.startsWith("--out")) assert(bad.stderr.includes(held), bad.stderr);
    }
    const tail = await features(["tail", "--pair", "SOL/USD", "--data-dir", data], dir);
    assertEquals(tail.code, 2, tail.stderr);
    assert(tail.stderr.includes(`--pair SOL/USD --window 1m: the offline store has no rows`), tail.stderr);
    assertEquals(await names(dir), ["data", "e.csv", "f.csv"]);
  });
});

Deno.test("features export: the target keeps its old bytes until the export is complete, even after a kill", async () => {
  await withTempDir(async (dir) => {
    const data = `${dir}/data`;
    await Deno.mkdir(data);
    await writeExportStore(`${data}/offline.duckdb`);
    const target = `${dir}/f.jsonl`;
    await Deno.writeTextFile(target, "the last export\n");
    const args = ["export", "--pair", "BTC/USD", "--window", "1m", "--format", "jsonl", "--data-dir", data];

    const killed = runPipeline("features", [...args, "--out", target], dir);
    await waitFor("the partial file's first rows", () => partialWritten(dir));
    assertEquals(await Deno.readTextFile(target), "the last export\n");
    killed.kill("SIGKILL");
    await killed.output();
    assertEquals(await Deno.readTextFile(target), "the last export\n");

    const done = await features([...args, "--out", target], dir);
    assertEquals(done.code, 0, done.stderr);
    assert((await Deno.readTextFile(target)) === await previous(data, "jsonl"), "the JSONL differs");
    // Only the killed run's partial file is left: a kill gives no chance to remove it.
    assertEquals(await names(dir), ["data", "f.jsonl", `f.jsonl.partial-${killed.pid}`]);

    // A target that cannot be replaced (a directory) is a bad --out before anything is written.
    await Deno.remove(`${dir}/f.jsonl.partial-${killed.pid}`);
    await Deno.mkdir(`${dir}/taken`);
    const failed = await features([...args, "--out", `${dir}/taken`], dir);
    assertEquals(failed.code, 2, failed.stderr);
    assert(failed.stderr.includes(`--out: ${dir}/taken is a directory, not a file`), failed.stderr);
    assertEquals(await names(dir), ["data", "f.jsonl", "taken"]);
  });
});

Deno.test("features export: one Ctrl-C stops it, removes the partial file and exits 130", async () => {
  await withTempDir(async (dir) => {
    const data = `${dir}/data`;
    await Deno.mkdir(data);
    await writeExportStore(`${data}/offline.duckdb`);
    const args = ["export", "--pair", "BTC/USD", "--window", "1m", "--format", "jsonl", "--data-dir", data];

    const toFile = featuresTask([...args, "--out", `${dir}/f.jsonl`], dir);
    await waitFor("the partial file's first rows", () => partialWritten(dir));
    Deno.kill(-toFile.pid, "SIGINT");
    const file = await toFile.output();
    const log = decoder.decode(file.stderr);
    assertEquals(file.code, 130, log);
    assert(log.includes(`; ${dir}/f.jsonl not written`), log);
    assert(!log.includes("exiting without a clean stop"), log);
    assertEquals(await names(dir), ["data"]);

    // To stdout: stopped while its reader holds it back (the pipe full), then read to the end.
    const toStdout = featuresTask([...args, "--out", "-"], dir);
    const stderr = new Response(toStdout.stderr).text();
    await readUntil(toStdout.stdout, (text) => text.includes("\n"), 60_000);
    Deno.kill(-toStdout.pid, "SIGINT");
    const bytes = (await rest(toStdout.stdout)).length;
    const { code } = await toStdout.status;
    assertEquals(code, 130, await stderr);
    assert((await stderr).includes("interrupted after"), await stderr);
    assert(bytes < (await previous(data, "jsonl")).length, "the export ran to its end");
  });
});

Deno.test("features tail: one Ctrl-C stops a long tail with 130", async () => {
  await withTempDir(async (dir) => {
    const data = `${dir}/data`;
    await Deno.mkdir(data);
    await writeExportStore(`${data}/offline.duckdb`);
    const tail = featuresTask(["tail", "--pair", "BTC/USD", "--n", "1000000", "--data-dir", data], dir);
    const stderr = new Response(tail.stderr).text();
    await readUntil(tail.stdout, (text) => text.startsWith("window_start\t"), 60_000);
    Deno.kill(-tail.pid, "SIGINT");
    const text = await rest(tail.stdout);
    const { code } = await tail.status;
    assertEquals(code, 130, await stderr);
    assert((await stderr).includes("interrupted after"), await stderr);
    assert(!text.includes("online store"), "the tail ran to its end");
  });
});

Deno.test("features tail of a data dir with no online store says so and creates none", async () => {
  await withTempDir(async (dir) => {
    const data = `${dir}/data`;
    await Deno.mkdir(data);
    await writeExportStore(`${data}/offline.duckdb`);
    const { code, stdout, stderr } = await features(
      ["tail", "--pair", "BTC/USD", "--n", "2", "--data-dir", data],
      dir,
    );
    assertEquals(code, 0, stderr);
    assert(
      stdout.endsWith(`online store: none (${data}/online.kv does not exist; ingest and start write it)\n`),
      stdout,
    );
    assertEquals(await names(data), ["offline.duckdb"]);
  });
});
