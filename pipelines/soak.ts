/**
 * `deno task soak [--duration 60] [--file F | --minutes N] [--json]`: a long replay with faults,
 * compared with a clean run. A trade file (given, or a synthetic one generated and labelled as
 * such) is replayed by the simulator at the speed that fits `--duration`, with WebSocket drops,
 * malformed frames and REST throttling, into `ingest` as a subprocess that is killed with
 * SIGKILL partway and restarted. Once it has every trade, its feature table is compared with
 * the one `backfill --file` builds from the same file without interruption: same rows, same
 * values, nothing lost, nothing doubled. RSS of the ingest process is sampled throughout.
 * Exit status 0 only when the tables are identical.
 */
import { parseArgs } from "node:util";
import { TradeBook } from "../src/sim/book.ts";
import { startSim } from "../src/sim/server.ts";
import { syntheticTrades } from "../src/sim/synthetic.ts";
import { tradeFile } from "../src/sources/files/trade_file.ts";
import { tradeToJsonLine } from "../src/domain/trade.ts";
import { DuckDbFeatureStore } from "../src/stores/offline_duckdb.ts";
import { rowToCsv } from "../src/stores/feature_export.ts";
import { ConfigError } from "../src/config.ts";
import { runTask } from "../src/util/cli.ts";
import { logger } from "../src/util/log.ts";
import { type Window, WINDOW_MS } from "../src/domain/candle.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const WINDOWS: Window[] = ["1m", "5m"];

function deno(args: string[], dataDir: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-ffi",
      "--config",
      `${ROOT}deno.json`,
      ...args,
      "--data-dir",
      dataDir,
      "--log-level",
      "warn",
    ],
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/** Resident memory of a process, from `ps` (reading /proc needs --allow-all). */
function rssMb(pid: number): number | null {
  try {
    const out = new Deno.Command("ps", {
      args: ["-o", "rss=", "-p", String(pid)],
      stdout: "piped",
      stderr: "null",
    })
      .outputSync();
    const kb = Number(new TextDecoder().decode(out.stdout).trim());
    return kb > 0 ? kb / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Feature rows as CSV lines per series, up to the window holding the file's last trade at `until`
 * (the empty windows after it close only when the closing trade's own window does).
 */
async function table(
  dataDir: string,
  pairs: readonly string[],
  until: number,
): Promise<Map<string, string[]>> {
  const store = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`, { readOnly: true });
  try {
    const out = new Map<string, string[]>();
    for (const pair of pairs) {
      for (const w of WINDOWS) {
        const end = Math.floor(until / WINDOW_MS[w]) * WINDOW_MS[w] + WINDOW_MS[w];
        out.set(
          `${pair} ${w}`,
          (await store.range(pair, w)).filter((r) => r.window_end <= end).map(rowToCsv),
        );
      }
    }
    return out;
  } finally {
    store.close();
  }
}

async function caughtUp(dataDir: string, book: TradeBook): Promise<boolean> {
  try {
    for await (const e of Deno.readDir(`${dataDir}/checkpoints`)) {
      if (!e.name.startsWith("ingest")) continue;
      const cp = JSON.parse(await Deno.readTextFile(`${dataDir}/checkpoints/${e.name}`));
      return [...book.byPair].every(([pair, trades]) =>
        cp.pairs?.[pair]?.trade_id === trades.at(-1)!.trade_id
      );
    }
  } catch { /* not yet */ }
  return false;
}

await runTask("soak", async () => {
  const { values } = (() => {
    try {
      return parseArgs({
        args: Deno.args,
        options: {
          duration: { type: "string", default: "60" },
          file: { type: "string" },
          minutes: { type: "string", default: "720" },
          json: { type: "boolean" },
          keep: { type: "boolean" },
          help: { type: "boolean" },
        },
      });
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  })();
  if (values.help) {
    console.log(
      "usage: deno task soak [--duration SECONDS (60)] [--file TRADES | --minutes N of synthetic trades (720)] [--json] [--keep]",
    );
    return 0;
  }
  const duration = Number(values.duration);
  const minutes = Number(values.minutes);
  if (!(duration >= 10)) throw new ConfigError("--duration: at least 10 seconds");
  if (!(minutes >= 60)) throw new ConfigError("--minutes: at least 60");
  const log = logger("soak");
  const dir = await Deno.makeTempDir({ prefix: "soak-" });
  const started = performance.now();
  try {
    // The input: a file, or a synthetic market written to one.
    let file = values.file;
    let source: string;
    if (file) {
      source = file;
    } else {
      const trades = syntheticTrades({ pairs: ["BTC/USD", "ETH/USD"], start: Date.UTC(2024, 0, 1), minutes });
      file = `${dir}/synthetic_trades.jsonl`;
      await Deno.writeTextFile(file, trades.map(tradeToJsonLine).join("\n") + "\n");
      source = `synthetic (${minutes} minutes of two pairs, src/sim/synthetic.ts)`;
    }
    const read = await Array.fromAsync((await tradeFile(file)).stream);
    // A live run cannot know a window is complete until a later trade says time has moved on; one
    // closing trade per pair, six minutes after the end, closes every window of the file in both
    // runs. Its own windows are left out of the comparison.
    const lastTs = Math.max(...read.map((t) => t.ts));
    const closingTs = lastTs + 6 * 60_000;
    const closing = [...new Set(read.map((t) => t.pair))].map((pair) => {
      const last = read.findLast((t) => t.pair === pair)!;
      return {
        ...last,
        ts: closingTs,
        qty: 1e-6,
        ...(last.trade_id === undefined ? {} : { trade_id: last.trade_id + 1 }),
      };
    });
    file = `${dir}/replayed_trades.jsonl`;
    await Deno.writeTextFile(file, [...read, ...closing].map((t) => tradeToJsonLine(t)).join("\n") + "\n");
    const book = new TradeBook(await Array.fromAsync((await tradeFile(file)).stream));
    const pairs = [...book.byPair.keys()];
    log.info(`${read.length} trades of ${pairs.join(", ")} from ${source}`);

    // The clean run.
    const clean = deno([
      "pipelines/backfill.ts",
      "--file",
      file,
      "--pairs",
      pairs.join(","),
      "--windows",
      WINDOWS.join(","),
    ], `${dir}/clean`);
    const cleanOut = await clean.output();
    if (!cleanOut.success) {
      throw new Error(`the clean backfill failed: ${new TextDecoder().decode(cleanOut.stderr)}`);
    }

    // The faulty run: the replay lasts about 60% of the duration; the rest is catching up.
    const speed = (book.lastTs - book.firstTs) / 1000 / (duration * 0.6);
    const sim = await startSim({
      book,
      speed,
      port: 0,
      dropEverySec: 3,
      malformedEvery: 150,
      throttleEvery: 7,
    });
    const ingestArgs = [
      "pipelines/ingest.ts",
      "--ws-url",
      sim.wsUrl,
      "--rest-url",
      sim.restUrl,
      "--pairs",
      pairs.join(","),
      "--windows",
      WINDOWS.join(","),
      "--from",
      String(book.firstTs),
      "--ws-timeout",
      "2",
    ];
    const rss: { t: number; mb: number }[] = [];
    let child = deno(ingestArgs, `${dir}/faulty`);
    const sample = setInterval(() => {
      const mb = rssMb(child.pid);
      if (mb !== null) rss.push({ t: Math.round((performance.now() - started) / 1000), mb: Math.round(mb) });
    }, 1000);
    let kills = 0;
    try {
      await new Promise((r) => setTimeout(r, duration * 0.35 * 1000));
      child.kill("SIGKILL");
      await child.status;
      kills++;
      log.info(
        `killed ingest with SIGKILL at ${((performance.now() - started) / 1000).toFixed(1)} s; restarting`,
      );
      child = deno(ingestArgs, `${dir}/faulty`);
      const deadline = performance.now() + duration * 3 * 1000;
      while (!(await caughtUp(`${dir}/faulty`, book))) {
        if (performance.now() > deadline) throw new Error("ingest did not catch up with the replay in time");
        await new Promise((r) => setTimeout(r, 500));
      }
      // The last windows close once the live source has been idle for a little while.
      await new Promise((r) => setTimeout(r, 3000));
      child.kill("SIGINT");
      const end = await child.output();
      if (end.code !== 0) {
        throw new Error(`ingest exited ${end.code}: ${new TextDecoder().decode(end.stderr).slice(-2000)}`);
      }
    } finally {
      clearInterval(sample);
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await sim.close();
    }

    const want = await table(`${dir}/clean`, pairs, lastTs);
    const got = await table(`${dir}/faulty`, pairs, lastTs);
    const series: {
      series: string;
      clean: number;
      faulty: number;
      missing: number;
      extra: number;
      different: number;
    }[] = [];
    let firstDifference: string | null = null;
    for (const [key, rows] of want) {
      const other = got.get(key) ?? [];
      const byStart = new Map(other.map((l) => [l.split(",")[2]!, l]));
      let missing = 0, different = 0;
      for (const line of rows) {
        const mine = byStart.get(line.split(",")[2]!);
        if (mine === undefined) missing++;
        else if (mine !== line) {
          different++;
          firstDifference ??= `${key}\n  clean:  ${line}\n  faulty: ${mine}`;
        }
      }
      series.push({
        series: key,
        clean: rows.length,
        faulty: other.length,
        missing,
        extra: Math.max(0, other.length - (rows.length - missing)),
        different,
      });
    }
    const identical = series.every((s) => s.missing === 0 && s.extra === 0 && s.different === 0);
    const s = sim.stats;
    const report = {
      identical,
      duration_s: Math.round((performance.now() - started) / 100) / 10,
      source,
      trades: read.length,
      speed: Math.round(speed),
      faults: {
        ws_drops: s.drops,
        malformed_frames: s.malformed,
        rest_throttled: s.rest.throttled,
        sigkills: kills,
      },
      rss_mb: rss,
      series,
      first_difference: firstDifference,
    };
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(`soak: ${report.trades} trades (${source}) at ${report.speed}x in ${report.duration_s} s`);
      console.log(
        `faults: ${s.drops} WS drops, ${s.malformed} malformed frames, ${s.rest.throttled} throttled REST calls, ${kills} SIGKILL + restart`,
      );
      console.log(`ingest RSS (MB) every second: ${rss.map((x) => x.mb).join(" ")}`);
      for (const x of series) {
        console.log(
          `  ${x.series}: clean ${x.clean} rows, faulty ${x.faulty}; missing ${x.missing}, extra ${x.extra}, different ${x.different}`,
        );
      }
      console.log(
        identical
          ? "IDENTICAL: the faulty run's feature table equals the clean run's"
          : `DIFFERENT\n${firstDifference ?? ""}`,
      );
    }
    return identical ? 0 : 1;
  } finally {
    if (!values.keep) await Deno.remove(dir, { recursive: true }).catch(() => {});
    else log.info(`kept ${dir}`);
  }
}, { helpFlag: false });
