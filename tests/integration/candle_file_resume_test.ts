/**
 * A candle-file backfill is checkpointed like the other inputs: killed mid-way, it resumes from its
 * checkpoint and ends with the table of an uninterrupted load. The file is a named pipe the test
 * writes, so the kill lands exactly where the test wants it.
 */
import { assert, assertEquals } from "../assert.ts";
import { prng, runPipeline } from "../helpers.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { CheckpointFile } from "../../src/stores/checkpoint_file.ts";
import { CSV_HEADER, rowToCsv } from "../../src/stores/feature_export.ts";

const START = Date.UTC(2024, 0, 1) / 1000;

/** Kraken OHLCVT lines, one a minute with a gap now and then. */
function ohlcvt(n: number): string[] {
  const rnd = prng(5);
  let close = 100;
  const lines: string[] = [];
  for (let m = 0; lines.length < n; m++) {
    if (rnd() < 0.05) continue;
    const open = close;
    close = Math.round(open * (1 + (rnd() - 0.5) * 0.01) * 100) / 100;
    const high = Math.max(open, close) + 0.1, low = Math.min(open, close) - 0.1;
    lines.push(
      `${START + m * 60},${open},${high},${low},${close},${(1 + rnd()).toFixed(4)},${
        1 + Math.floor(rnd() * 9)
      }`,
    );
  }
  return lines;
}

async function table(dataDir: string, window: "1m" | "5m"): Promise<string> {
  const store = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`, { readOnly: true });
  try {
    return [CSV_HEADER, ...(await store.range("BTC/USD", window)).map(rowToCsv)].join("\n");
  } finally {
    store.close();
  }
}

async function writeTo(path: string, lines: string[]): Promise<Deno.FsFile> {
  const pipe = await Deno.open(path, { write: true });
  await pipe.write(new TextEncoder().encode(lines.map((l) => l + "\n").join("")));
  return pipe;
}

Deno.test("a candle-file backfill killed mid-way resumes from its checkpoint and ends with the same table", async () => {
  const dir = await Deno.makeTempDir();
  const lines = ohlcvt(6_000);
  const args = ["--format", "kraken-ohlcvt", "--pairs", "BTC/USD", "--windows", "1m,5m"];
  let killed: Deno.ChildProcess | undefined;
  try {
    await Deno.writeTextFile(`${dir}/whole.csv`, lines.join("\n") + "\n");
    const whole = await runPipeline("backfill", ["--file", "whole.csv", ...args, "--data-dir", "whole"], dir)
      .output();
    assertEquals(whole.code, 0, new TextDecoder().decode(whole.stderr));

    const pipe = `${dir}/candles.csv`;
    assert((await new Deno.Command("mkfifo", { args: [pipe] }).output()).success, "mkfifo");
    const resumed = ["--file", pipe, ...args, "--data-dir", "resumed"];
    killed = runPipeline("backfill", resumed, dir);
    const first = await writeTo(pipe, lines.slice(0, 2_500));
    // The first lines go out as a batch once they have waited a second for more.
    const checkpoints = `${dir}/resumed/checkpoints`;
    const deadline = Date.now() + 60_000;
    for (let written = 0; written < 2_500;) {
      assert(Date.now() < deadline, `no checkpoint of the first 2500 candles (${written} written)`);
      await new Promise((r) => setTimeout(r, 50));
      // Saved through a temporary file, then renamed: only the renamed one counts.
      const names = (await Array.fromAsync(Deno.readDir(checkpoints)).catch(() => [])).map((e) => e.name);
      for (const name of names.filter((n) => n.endsWith(".json"))) {
        const cp = await new CheckpointFile(`${checkpoints}/${name}`).load().catch(() => null);
        written = Math.max(written, cp?.pairs["BTC/USD"]?.trades ?? 0);
      }
    }
    killed.kill("SIGKILL");
    await killed.output();
    first.close();

    const again = runPipeline("backfill", resumed, dir);
    (await writeTo(pipe, lines)).close();
    const out = await again.output();
    const log = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, log);
    assert(log.includes("after 2500 candles"), log);
    for (const w of ["1m", "5m"] as const) {
      assertEquals(await table(`${dir}/resumed`, w), await table(`${dir}/whole`, w), w);
    }
  } finally {
    try {
      killed?.kill("SIGKILL");
    } catch { /* exited */ }
    await Deno.remove(dir, { recursive: true });
  }
});
