/**
 * `deno task news export` as a user runs it: the classified headlines of a real offline store
 * (DuckDB on disk) to CSV or JSONL, a file or stdout, within a time range, streamed across many
 * DuckDB chunks; a missing data dir or a bad date exits 2.
 */
import { assert, assertEquals } from "../assert.ts";
import { usage } from "../../src/config.ts";
import type { NewsSignal } from "../../src/domain/news.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { runPipeline } from "../helpers.ts";

const T0 = Date.UTC(2025, 1, 26);

function signal(i: number, coin = "BTC"): NewsSignal {
  return {
    news_id: `n${i}`,
    coin,
    signal: ((i % 3) - 1) as -1 | 0 | 1,
    score: 0.5 + (i % 5) / 10,
    model: i === 1 ? 'distilled, "v2"' : "distilled",
    published_at: T0 + i * 60_000,
    known_at: T0 + i * 60_000,
  };
}

async function storeWith(dataDir: string, signals: NewsSignal[]): Promise<void> {
  await Deno.mkdir(dataDir, { recursive: true });
  const store = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`);
  try {
    await store.putSignals(signals);
  } finally {
    store.close();
  }
}

async function exportNews(args: string[], cwd: string) {
  const { code, stdout, stderr } = await runPipeline("news", ["export", ...args], cwd).output();
  return { code, stdout: new TextDecoder().decode(stdout), stderr: new TextDecoder().decode(stderr) };
}

Deno.test("news export: every stored signal as CSV, oldest first, quoted where needed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Stored out of order, one headline with two coins.
    // n3 as a live poll brought it, 90 s after its publication.
    const polled = { ...signal(3), known_at: signal(3).published_at + 90_000 };
    await storeWith(`${dir}/data`, [polled, signal(1), signal(2, "ETH"), signal(2, "BTC")]);
    const run = await exportNews(["--data-dir", `${dir}/data`, "--out", `${dir}/news.csv`], dir);
    assertEquals(run.code, 0, run.stderr);
    assert(
      run.stderr.includes(`4 news signals (2025-02-26T00:01:00.000Z .. 2025-02-26T00:03:00.000Z) written`),
    );
    assertEquals((await Deno.readTextFile(`${dir}/news.csv`)).split("\n"), [
      "news_id,coin,signal,score,model,published_at,known_at",
      'n1,BTC,0,0.6,"distilled, ""v2""",2025-02-26T00:01:00.000Z,2025-02-26T00:01:00.000Z',
      "n2,BTC,1,0.7,distilled,2025-02-26T00:02:00.000Z,2025-02-26T00:02:00.000Z",
      "n2,ETH,1,0.7,distilled,2025-02-26T00:02:00.000Z,2025-02-26T00:02:00.000Z",
      "n3,BTC,-1,0.8,distilled,2025-02-26T00:03:00.000Z,2025-02-26T00:04:30.000Z",
      "",
    ]);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.includes("partial")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news export: JSONL to stdout within [--from, --to), streamed over many chunks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // More rows than a DuckDB chunk (2,048), so the export streams several.
    await storeWith(`${dir}/data`, Array.from({ length: 5000 }, (_, i) => signal(i, i % 2 ? "ETH" : "BTC")));
    const run = await exportNews([
      "--data-dir",
      `${dir}/data`,
      "--out",
      "-",
      "--format",
      "jsonl",
      "--from",
      new Date(T0 + 100 * 60_000).toISOString(),
      "--to",
      String(T0 + 4600 * 60_000),
    ], dir);
    assertEquals(run.code, 0, run.stderr);
    const rows = run.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    assertEquals(rows.length, 4500);
    assertEquals(rows[0], {
      news_id: "n100",
      coin: "BTC",
      signal: 0,
      score: 0.5,
      model: "distilled",
      published_at: new Date(T0 + 100 * 60_000).toISOString(),
      known_at: new Date(T0 + 100 * 60_000).toISOString(),
    });
    assertEquals(rows.at(-1).news_id, "n4599");
    assert(rows.every((r, i) => r.news_id === `n${100 + i}`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news export: a reader that stops early (| head) ends the export quietly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await storeWith(`${dir}/data`, Array.from({ length: 5000 }, (_, i) => signal(i)));
    // Far more than a pipe holds, so the export is still writing when the reader goes.
    const child = runPipeline("news", ["export", "--data-dir", `${dir}/data`, "--out", "-"], dir);
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    assert(new TextDecoder().decode(value).startsWith("news_id,coin,signal"));
    await reader.cancel();
    const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    const { code } = await child.status;
    assertEquals(code, 0, stderr);
    assert(!stderr.includes("Broken pipe"), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news export: one Ctrl-C stops it with 130, and a file it was writing is not written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await storeWith(`${dir}/data`, Array.from({ length: 20_000 }, (_, i) => signal(i)));
    // To stdout, held back by a reader that has not read (the pipe full), as a shell's foreground
    // job: the whole process group gets the Ctrl-C.
    const child = new Deno.Command("setsid", {
      args: [
        Deno.execPath(),
        "task",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        "news",
        "export",
        "--data-dir",
        `${dir}/data`,
        "--out",
        "-",
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", LOG_FORMAT: "text" },
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.getReader();
    await reader.read();
    Deno.kill(-child.pid, "SIGINT");
    let bytes = 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.length;
    const { code } = await child.status;
    assertEquals(code, 130, await stderr);
    assert((await stderr).includes("interrupted after"), await stderr);
    assert(bytes < 20_000 * 60, `the export ran to its end (${bytes} bytes)`);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["data"], "no partial file left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news export: an empty store writes the header and warns", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await storeWith(`${dir}/data`, []);
    const run = await exportNews(["--data-dir", `${dir}/data`, "--out", `${dir}/news.csv`], dir);
    assertEquals(run.code, 0, run.stderr);
    assertEquals(
      await Deno.readTextFile(`${dir}/news.csv`),
      "news_id,coin,signal,score,model,published_at,known_at\n",
    );
    assert(run.stderr.includes("no news signals"), run.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news export: a missing data dir or store, an --out in no directory, and bad dates, exit 2 naming the flag", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string[], string][] = [
      [["--data-dir", dir, "--out", `${dir}/nowhere/x.csv`], `--out: no such directory: ${dir}/nowhere`],
      [["--data-dir", dir, "--out", "nowhere/x.csv"], "--out: no such directory: nowhere"],
      [["--data-dir", `${dir}/missing`, "--out", "-"], `--data-dir: no such directory: ${dir}/missing`],
      [["--data-dir", dir, "--out", "-"], "has no offline store"],
      [["--data-dir", dir, "--out", "-", "--from", "last tuesday"], "--from:"],
      [
        ["--data-dir", dir, "--out", "-", "--from", "2025-02-02", "--to", "2025-02-01"],
        "--to must be later than --from",
      ],
      [["--data-dir", dir, "--format", "xml", "--out", "-"], "--format"],
      [["--data-dir", dir], "--out is required"],
    ];
    for (const [args, message] of cases) {
      const run = await exportNews(args, dir);
      assertEquals(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert(run.stderr.includes(message), `${args.join(" ")}: ${run.stderr}`);
    }
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news export --help prints the export's help, news --help the task's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const run = await exportNews(["--help"], dir);
    assertEquals([run.code, run.stdout.trimEnd()], [0, usage("news export")]);
    assert(run.stdout.includes("--format") && !run.stdout.includes("--poll"));
    const news = await runPipeline("news", ["--help"], dir).output();
    assertEquals(new TextDecoder().decode(news.stdout).trimEnd(), usage("news"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
