/**
 * `deno task soak [--duration 60] [--file F | --minutes N] [--json] [--keep]`: a long replay with faults,
 * compared with a clean run. A trade file (given, or a synthetic one generated and labelled as
 * such) is replayed by the simulator at the speed that fits `--duration`, with WebSocket drops,
 * malformed frames and REST throttling, into `ingest` as a subprocess that is killed with
 * SIGKILL partway and restarted. Once its checkpoint has every trade, its feature table is
 * compared with the one `backfill --file` builds from the same file without interruption: same
 * rows, same values, nothing lost, nothing doubled. RSS of the ingest process is sampled
 * throughout. Exit status 0 only when the tables are identical.
 */
import { checkInputFile, ConfigError } from "../src/config.ts";
import { soakConfig } from "../src/config/soak.ts";
import type { Window } from "../src/domain/candle.ts";
import { tradeToJsonLine } from "../src/domain/trade.ts";
import { TradeBook } from "../src/sim/book.ts";
import { startSim } from "../src/sim/server.ts";
import { syntheticTrades } from "../src/sim/synthetic.ts";
import { tradeFile } from "../src/sources/files/trade_file.ts";
import { CheckpointFile, jobFileName } from "../src/stores/checkpoint_file.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";
import { compareTables, featureTable } from "./soak_table.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const WINDOWS: Window[] = ["1m", "5m"];

/** A pipeline entry point as `deno task` runs it, quietly, on `dataDir`. */
function deno(script: string, args: string[], dataDir: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...["--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-ffi"],
      ...["--config", `${ROOT}deno.json`, `${ROOT}pipelines/${script}.ts`],
      ...args,
      ...["--data-dir", dataDir, "--log-level", "warn"],
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

/** True once the ingest checkpoint holds the last trade of every pair of the book. */
async function caughtUp(checkpoint: CheckpointFile, book: TradeBook): Promise<boolean> {
  const cp = await checkpoint.load().catch(() => null);
  return cp !== null &&
    [...book.byPair].every(([pair, trades]) => cp.pairs[pair]?.trade_id === trades.at(-1)!.trade_id);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

await runTask("soak", async () => {
  const values = soakConfig(Deno.args);
  setLogLevel(values.logLevel);
  const { minutes } = values;
  const duration = values.durationMs / 1000;
  const log = logger("soak");
  const dir = await Deno.makeTempDir({ prefix: "soak-" });
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  try {
    // The input: a file, or a synthetic market written to one.
    let file = values.file;
    let source: string;
    if (file) {
      await checkInputFile("file", file);
      source = file;
    } else {
      const trades = syntheticTrades({ pairs: ["BTC/USD", "ETH/USD"], start: Date.UTC(2024, 0, 1), minutes });
      file = `${dir}/synthetic_trades.jsonl`;
      await Deno.writeTextFile(file, trades.map(tradeToJsonLine).join("\n") + "\n");
      source = `synthetic (${minutes} minutes of two pairs, src/sim/synthetic.ts)`;
    }
    const read = await Array.fromAsync((await tradeFile(file)).stream);
    if (read.length === 0) throw new ConfigError(`--file: ${file} holds no trades`);
    // A live run cannot know a window is complete until a later trade says time has moved on; one
    // closing trade per pair, six minutes after the end, closes every window of the file in both
    // runs. Its own windows are left out of the comparison.
    const lastTs = Math.max(...read.map((t) => t.ts));
    const closing = [...new Set(read.map((t) => t.pair))].map((pair) => {
      const last = read.findLast((t) => t.pair === pair)!;
      const id = last.trade_id === undefined ? {} : { trade_id: last.trade_id + 1 };
      return { ...last, ts: lastTs + 6 * 60_000, qty: 1e-6, ...id };
    });
    file = `${dir}/replayed_trades.jsonl`;
    await Deno.writeTextFile(file, [...read, ...closing].map((t) => tradeToJsonLine(t)).join("\n") + "\n");
    const book = new TradeBook(await Array.fromAsync((await tradeFile(file)).stream));
    const pairs = [...book.byPair.keys()];
    log.info(`${read.length} trades of ${pairs.join(", ")} from ${source}`);

    // The clean run.
    const shape = ["--pairs", pairs.join(","), "--windows", WINDOWS.join(",")];
    const clean = await deno("backfill", ["--file", file, ...shape], `${dir}/clean`).output();
    if (!clean.success) {
      throw new Error(`the clean backfill failed: ${new TextDecoder().decode(clean.stderr)}`);
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
    const sources = ["--ws-url", sim.wsUrl, "--rest-url", sim.restUrl, "--ws-timeout", "2"];
    const ingestArgs = [...sources, ...shape, "--from", String(book.firstTs)];
    const checkpoint = new CheckpointFile(
      `${dir}/faulty/checkpoints/${jobFileName(`ingest ${sim.restUrl}`)}.json`,
    );
    const rss: { t: number; mb: number }[] = [];
    let child = deno("ingest", ingestArgs, `${dir}/faulty`);
    const sample = setInterval(() => {
      const mb = rssMb(child.pid);
      if (mb !== null) rss.push({ t: Math.round(elapsed()), mb: Math.round(mb) });
    }, 1000);
    let kills = 0;
    try {
      await sleep(duration * 0.35 * 1000);
      child.kill("SIGKILL");
      await child.status;
      kills++;
      log.info(`killed ingest with SIGKILL at ${elapsed().toFixed(1)} s; restarting`);
      child = deno("ingest", ingestArgs, `${dir}/faulty`);
      const deadline = performance.now() + duration * 3 * 1000;
      while (!(await caughtUp(checkpoint, book))) {
        if (performance.now() > deadline) throw new Error("ingest did not catch up with the replay in time");
        await sleep(500);
      }
      // The last windows close once the live source has been idle for a little while.
      await sleep(3000);
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

    const { series, identical, firstDifference } = compareTables(
      await featureTable(`${dir}/clean`, pairs, WINDOWS, lastTs),
      await featureTable(`${dir}/faulty`, pairs, WINDOWS, lastTs),
    );
    const s = sim.stats;
    const report = {
      identical,
      duration_s: Math.round(elapsed() * 10) / 10,
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
        `faults: ${s.drops} WS drops, ${s.malformed} malformed frames, ${s.rest.throttled} throttled REST calls, ` +
          `${kills} SIGKILL + restart`,
      );
      console.log(`ingest RSS (MB) every second: ${rss.map((x) => x.mb).join(" ")}`);
      for (const x of series) {
        console.log(
          `  ${x.series}: clean ${x.clean} rows, faulty ${x.faulty}; ` +
            `missing ${x.missing}, extra ${x.extra}, different ${x.different}`,
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
});
