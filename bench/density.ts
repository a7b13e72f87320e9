/**
 * The feature pipeline at real trade density, each figure a whole command timed from outside
 * (start-up included): `backfill --file` of 1M trades embedded, and over Kafka with every stage in
 * one process, beside Quix Streams (the course's engine) making 1m candles of the same trades on
 * the same broker. Feature rows per trade decide what the stores cost, so the input is the shared
 * real Kraken hour repeated over four pairs; without ../shared, the synthetic market calibrated to
 * the same trades per minute, and the output says which. Uses `KAFKA_BROKERS`, or starts the local
 * broker from infra/kafka.
 *
 * One file of about 430 lines on purpose: the input, the three paths, their rotation under a time
 * budget and the table check share one run's state, and read best together.
 */
import { localBroker } from "./local_broker.ts";
import { createKafka } from "../src/bus/kafka.ts";
import denoJson from "../deno.json" with { type: "json" };
import { DuckDBInstance } from "@duckdb/node-api";
import { densityInput, FOUR_PAIRS, REAL_TRADES_PER_MINUTE } from "./density_input.ts";
import { anchorPython, ANCHORS_HINT, runAnchor } from "./anchors/python.ts";
import type { BenchResult } from "./ws_frames.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const N = 1_000_000;
const RUNS = 3;
/**
 * Rounds stop once another would take the suite past this many seconds; on a slow or shared
 * machine the figures then come from fewer runs, and the output says so.
 */
const BUDGET_S = Number(Deno.env.get("BENCH_DENSITY_BUDGET_S") ?? 300);
if (!(BUDGET_S > 0)) throw new RangeError("BENCH_DENSITY_BUDGET_S must be a positive number of seconds");
const PAIRS = FOUR_PAIRS;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** Writes the input as trades-csv in the shared hour's columns, plus Kraken's trade ids. */
async function writeInput(path: string): Promise<{ source: string; pairs: string[] }> {
  const { trades: rows, realHourTrades } = await densityInput(PAIRS, N);
  const source = realHourTrades !== null
    ? `the shared real Kraken BTC/USD hour (2019-07-01, ${realHourTrades.toLocaleString("en-US")} trades), ` +
      `repeated per pair with shifted times`
    : "SYNTHETIC trades (../shared/data absent): src/sim/synthetic.ts with time squeezed to the real " +
      `hour's ${REAL_TRADES_PER_MINUTE.toFixed(1)} trades per minute per pair`;
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let chunk = "timestamp,time_ms,symbol,price,qty,side,trade_id\n";
  for (const r of rows) {
    chunk += `${
      new Date(r.ts).toISOString()
    },${r.ts},${r.pair},${r.price},${r.qty},${r.side},${r.trade_id}\n`;
    if (chunk.length > 1 << 20) {
      await file.write(enc.encode(chunk));
      chunk = "";
    }
  }
  await file.write(enc.encode(chunk));
  file.close();
  const pairs = new Set(rows.map((r) => r.pair));
  return { source, pairs: PAIRS.map((p) => p.pair).filter((p) => pairs.has(p)) };
}

interface Run {
  seconds: number;
  /** The run's warn and error lines (messages only). */
  problems: string[];
}

/** A run this long is stuck (a stalled stage), not slow: it is killed and reported. */
const RUN_LIMIT_S = 900;

/** `deno task backfill` with `args`, the task's own permissions, timed from spawn to exit. */
async function backfill(args: string[]): Promise<Run> {
  const [, ...task] = denoJson.tasks.backfill.split(" ");
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...task, ...args, "--log-level", "warn"],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
    env: { LOG_FORMAT: "json" },
    signal: AbortSignal.timeout(RUN_LIMIT_S * 1000),
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  const problems = new TextDecoder().decode(out.stderr).split("\n").filter((l) => l.trim()).map((l) => {
    try {
      return (JSON.parse(l) as { msg: string }).msg;
    } catch {
      return l;
    }
  });
  if (out.signal !== null && seconds >= RUN_LIMIT_S) throw new Error(`killed after ${RUN_LIMIT_S} s`);
  if (!out.success) throw new Error(`backfill exited ${out.code}: ${problems.at(-1) ?? ""}`);
  return { seconds, problems };
}

interface Table {
  rows: number;
  rows1m: number;
  checksum: string;
}

/** The features table's size and an order-independent checksum of every row's every column. */
async function features(dataDir: string): Promise<Table> {
  const db = await DuckDBInstance.create(`${dataDir}/offline.duckdb`, { access_mode: "READ_ONLY" });
  const conn = await db.connect();
  try {
    const r = (await conn.runAndReadAll(
      `SELECT count(*) AS n, count(*) FILTER (WHERE "window" = '1m') AS m1, sum(hash(f)) AS h FROM features f`,
    )).getRowObjects()[0] as { n: bigint; m1: bigint; h: bigint | null };
    return { rows: Number(r.n), rows1m: Number(r.m1), checksum: String(r.h) };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Drops the topics and consumer groups this suite made, so repeated benches do not fill the broker. */
async function dropTopics(list: string, tag: string): Promise<void> {
  const admin = createKafka({ brokers: list.split(",") }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.includes(tag));
    if (topics.length) await admin.deleteTopics({ topics });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.includes(tag));
    if (groups.length) await admin.deleteGroups(groups);
  } catch (e) {
    console.log(`  could not drop the suite's topics (${(e as Error).message})`);
  } finally {
    await admin.disconnect();
  }
}

const spread = (rates: number[]) => {
  const s = [...rates].sort((a, b) => a - b);
  const mid = s.length / 2;
  const median = s.length % 2 ? s[Math.floor(mid)] : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
  return { min: s[0] ?? 0, median: median ?? 0, max: s.at(-1) ?? 0 };
};
const show = (rates: number[]) => {
  const { min, median, max } = spread(rates);
  return `${fmt(min)} / ${fmt(median)} / ${fmt(max)} trades/s (min / median / max of ${rates.length})`;
};

function versus(
  name: string,
  rates: number[],
  quix: number[],
  floor: number,
  times: number,
): BenchResult {
  const value = spread(rates).median;
  const q = spread(quix).median;
  const anchored = quix.length > 0;
  return {
    name,
    value,
    unit: "trades/s",
    reference: anchored ? "Quix Streams 1m candles, same trades and broker" : "Quix Streams anchor skipped",
    referenceValue: anchored ? q : floor,
    ratio: value / (anchored ? q : floor),
    target: `>= ${fmt(floor)} trades/s` + (anchored ? ` and >= ${times}x Quix` : ""),
    pass: rates.length > 0 && value >= floor && (!anchored || value >= times * q),
  };
}

export async function benchDensity(): Promise<BenchResult[]> {
  const began = performance.now();
  const dir = await Deno.makeTempDir({ prefix: "bench-density-" });
  const csv = `${dir}/trades.csv`;
  const tag = `dens${Date.now().toString(36)}`;
  const list = localBroker("the Kafka and Quix Streams runs are skipped");
  const python = list === null ? null : await anchorPython();
  const results: BenchResult[] = [];
  try {
    const input = await writeInput(csv);
    console.log(
      `  input: ${fmt(N)} trades of ${
        input.pairs.join(", ")
      } (trades-csv, time-ordered) from ${input.source}`,
    );
    if (list !== null && python === null) console.log(`  Quix Streams anchor skipped: ${ANCHORS_HINT}`);

    const embedded: number[] = [], overKafka: number[] = [], quix: number[] = [];
    let reference: Table | undefined;
    const tables: string[] = [];
    let anchor: { candles: number; produceSeconds: number[]; version: string } | undefined;
    const common = ["--file", csv, "--models-dir", `${dir}/models`];
    // Round robin, so load from other work on the machine falls on every path alike.
    for (let r = 0; r < RUNS; r++) {
      const roundStart = performance.now();
      try {
        const run = await backfill([...common, "--data-dir", `${dir}/embedded-${r}`]);
        embedded.push(N / run.seconds);
        const table = await features(`${dir}/embedded-${r}`);
        reference ??= table;
        if (table.checksum !== reference.checksum) {
          console.log(`  embedded run ${r + 1}'s table differs from run 1's`);
        }
        await Deno.remove(`${dir}/embedded-${r}`, { recursive: true });
      } catch (e) {
        console.log(`  embedded run ${r + 1} failed: ${(e as Error).message}`);
      }
      if (list !== null) {
        try {
          const run = await backfill([
            ...common,
            ...["--data-dir", `${dir}/kafka-${r}`, "--bus", "kafka", "--stage", "all"],
            ...["--brokers", list, "--topic-prefix", `${tag}k${r}.`],
          ]);
          overKafka.push(N / run.seconds);
          for (const p of new Set(run.problems)) {
            console.log(`  Kafka run ${r + 1} logged: ${p.slice(0, 200)}`);
          }
          const table = await features(`${dir}/kafka-${r}`);
          tables.push(
            reference === undefined
              ? `run ${r + 1}: ${fmt(table.rows)} rows, no embedded table to compare`
              : table.rows === reference.rows && table.checksum === reference.checksum
              ? `run ${r + 1}: identical`
              : `run ${r + 1}: DIFFERENT (${fmt(table.rows)} rows against ${fmt(reference.rows)})`,
          );
          await Deno.remove(`${dir}/kafka-${r}`, { recursive: true });
        } catch (e) {
          console.log(`  Kafka run ${r + 1} failed: ${(e as Error).message}`);
        }
      }
      if (list !== null && python !== null) {
        try {
          const t0 = performance.now();
          const args = [csv, list, `${tag}q${r}.`, `${dir}/quix-${r}`];
          const out = await runAnchor(python, "quix_candles.py", args) as {
            complete: boolean;
            stalled: boolean;
            consumed: number;
            produced: number;
            candles: number;
            produce_seconds: number;
            quixstreams: string;
          };
          const seconds = (performance.now() - t0) / 1000;
          if (out.produced !== N) throw new Error(`produced ${out.produced} of ${N} trades`);
          if (!out.complete) {
            throw new Error(
              `stopped after ${fmt(out.consumed)} of ${fmt(N)} trades` +
                (out.stalled ? " (nothing consumed for a minute: the consumer stalled)" : ""),
            );
          }
          if (out.consumed > N) {
            console.log(`  Quix Streams run ${r + 1}: ${fmt(out.consumed - N)} trades redelivered`);
          }
          quix.push(N / seconds);
          anchor ??= { candles: out.candles, produceSeconds: [], version: out.quixstreams };
          anchor.produceSeconds.push(out.produce_seconds);
        } catch (e) {
          console.log(`  Quix Streams run ${r + 1} failed: ${(e as Error).message}`);
        }
      }
      const round = (performance.now() - roundStart) / 1000;
      if (r + 1 < RUNS && (performance.now() - began) / 1000 + round > BUDGET_S) {
        console.log(
          `  stopped after ${r + 1} of ${RUNS} rounds: a round takes ${
            round.toFixed(0)
          } s here, and another ` +
            `would pass the suite's ${BUDGET_S} s budget (BENCH_DENSITY_BUDGET_S)`,
        );
        break;
      }
    }

    if (reference) {
      console.log(
        `  density: ${fmt(reference.rows * 1e6 / N)} feature rows per million trades ` +
          `(counted in the embedded run's store: ${fmt(reference.rows)} rows, ${
            fmt(reference.rows1m)
          } of them 1m)`,
      );
    }
    console.log(`  backfill --file, embedded: ${show(embedded)}`);
    if (list !== null) {
      console.log(`  backfill --file --bus kafka --stage all: ${show(overKafka)}`);
      console.log(
        `  Kafka runs' features table against the embedded run's (rows, checksum): ${tables.join("; ")}`,
      );
    }
    if (anchor) {
      const producing = spread(anchor.produceSeconds).median;
      console.log(
        `  Quix Streams ${anchor.version}, 1m OHLCV per pair (CSV → produce → consume, wall incl. start-up): ` +
          `${show(quix)}; producing took ${producing.toFixed(1)} s (median); ${
            fmt(anchor.candles)
          } candles ` +
          `closed` + (reference ? ` against the project's ${fmt(reference.rows1m)} 1m rows` : "") +
          " (Quix leaves each pair's last windows open)",
      );
    }
    results.push(
      versus("backfill --file, embedded, 1M trades at real density (wall)", embedded, quix, 250_000, 20),
    );
    if (list !== null) {
      results.push(
        versus(
          "backfill --file over Kafka (--stage all), 1M trades at real density (wall)",
          overKafka,
          quix,
          50_000,
          4,
        ),
      );
      const same = tables.filter((t) => t.endsWith("identical")).length;
      results.push({
        name: "Kafka runs whose features table equals the embedded run's",
        value: same,
        unit: "runs",
        reference: "Kafka runs",
        referenceValue: tables.length,
        ratio: same / Math.max(1, tables.length),
        target: "all",
        pass: tables.length > 0 && same === tables.length,
      });
    }
    console.log(`  density suite: ${((performance.now() - began) / 1000).toFixed(0)} s`);
  } finally {
    if (list !== null) await dropTopics(list, tag);
    await Deno.remove(dir, { recursive: true });
  }
  return results;
}
