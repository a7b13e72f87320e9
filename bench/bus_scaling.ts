/**
 * Horizontal scaling over Kafka: 8 pairs of trades at real density over topics of 8 partitions,
 * consumed by k candles and k features processes (`deno task ingest --bus kafka --stage ...`,
 * each in its own data dir) in one group per stage, for k = 1, 2 and 4 in one run. The processes
 * are started, and both groups settled with k members each, before the clock starts. Two figures
 * per k, each with its ratio to k = 1:
 *
 * - live: trades/s from the first trade published (by this process, gzip batches) to both groups'
 *   lag reaching zero, the last feature row stored;
 * - backlog: the same number of trades again (later, with higher ids) published while the 2k
 *   processes are paused (SIGSTOP, well inside their 30 s session), then trades/s from resuming
 *   them to lag zero: what the consumers manage when the publisher is not the limit.
 *
 * A features process writes the stores of its own data dir (DuckDB lets one process write a file),
 * so with k of them the features table is split by partition over k data dirs; the union of the
 * k tables (identical rows once) is checked against k = 1's single table.
 *
 * The input is the shared real Kraken hour repeated per pair with shifted times and ids, as
 * bench/density.ts makes it; without ../shared, the synthetic market squeezed to the same density,
 * and the output says so. The pairs are chosen so their keys hash to 8 different partitions, so
 * the work can split evenly (the trades per partition are printed). Uses `KAFKA_BROKERS`, or
 * starts a broker of its own from infra/kafka on `BENCH_SCALING_KAFKA_PORT` (default 19492) and
 * stops it at the end. `BENCH_SCALING_TRADES` (default 400,000) sets the trades per pass.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import type { Trade } from "../src/domain/trade.ts";
import { type Bus, lag, openBus, tradesPublisher } from "../src/bus/bus.ts";
import { createKafka, ensureTopics } from "../src/bus/kafka.ts";
import { ensureStateTopic, stateTopic } from "../src/bus/changelog.ts";
import type { BenchResult } from "./ws_frames.ts";
import { continued, densityInput, EIGHT_PAIRS as PAIRS, REAL_TRADES_PER_MINUTE } from "./density_input.ts";
import { ingest, messages, noneExited, type Proc, running, stopAll } from "./bus_scaling_procs.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const N = Number(Deno.env.get("BENCH_SCALING_TRADES") ?? 400_000);
if (!(Number.isInteger(N) && N >= 8_000)) {
  throw new RangeError("BENCH_SCALING_TRADES must be an integer >= 8000");
}
/**
 * The suite stops before a k whose run, judged by the last one, would take it past this many
 * seconds; the output then says which were skipped.
 */
const BUDGET_S = Number(Deno.env.get("BENCH_SCALING_BUDGET_S") ?? 240);
if (!(BUDGET_S > 0)) throw new RangeError("BENCH_SCALING_BUDGET_S must be a positive number of seconds");
const PORT = Number(Deno.env.get("BENCH_SCALING_KAFKA_PORT") ?? 19492);
const KS = [1, 2, 4];
const PARTITIONS = 8;
/** A run still not caught up after this long is stuck, not slow. */
const RUN_LIMIT_MS = 600_000;

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

interface Broker {
  list: string;
  /** Whether the suite started it (and stops it, data and all). */
  owned: boolean;
  stop(): void;
}

function kafkaSh(command: "up" | "down", data: string) {
  return new Deno.Command("bash", {
    args: [`${ROOT}infra/kafka/kafka.sh`, command],
    env: { KAFKA_PORT: String(PORT), KAFKA_DATA: data },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
}

/** `KAFKA_BROKERS`, or a broker of the suite's own on its private port; null (said why) without one. */
function broker(dir: string): Broker | null {
  const env = Deno.env.get("KAFKA_BROKERS");
  if (env) return { list: env, owned: false, stop() {} };
  const data = `${dir}/broker`;
  const up = kafkaSh("up", data);
  const m = /KAFKA_BROKERS=(\S+)/.exec(new TextDecoder().decode(up.stdout));
  if (!up.success || !m) {
    const why = new TextDecoder().decode(up.stderr).trim().split("\n").at(-1);
    console.log(`  no Kafka broker (${why}); the scaling runs are skipped`);
    kafkaSh("down", data);
    return null;
  }
  return { list: m[1] as string, owned: true, stop: () => void kafkaSh("down", data) };
}

/** Waits until each group has `k` members, every one with partitions, settled (Stable). */
async function groupsReady(admin: Bus["admin"], groups: string[], k: number, procs: Proc[]): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    noneExited(procs);
    const { groups: found } = await admin.describeGroups(groups).catch(() => ({ groups: [] }));
    const ready = found.length === groups.length &&
      found.every((g) => g.state === "Stable" && g.members.length === k);
    if (ready) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the ${groups.join(" and ")} groups did not settle with ${k} members each within 180 s`);
}

interface Table {
  rows: number;
  /** Rows in each features process's data dir. */
  perDir: number[];
  checksum: string;
}

/** The union of the features tables in `dirs` (a row stored twice counts once) and its checksum. */
async function unionTable(dirs: string[]): Promise<Table> {
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    const perDir: number[] = [];
    for (const [i, d] of dirs.entries()) {
      await conn.run(`ATTACH '${d}/offline.duckdb' AS d${i} (READ_ONLY)`);
      const r = (await conn.runAndReadAll(`SELECT count(*) AS n FROM d${i}.features`)).getRowObjects()[0];
      perDir.push(Number((r as { n: bigint }).n));
    }
    const union = dirs.map((_, i) => `SELECT * FROM d${i}.features`).join(" UNION ");
    const r = (await conn.runAndReadAll(`SELECT count(*) AS n, sum(hash(f)) AS h FROM (${union}) f`))
      .getRowObjects()[0] as { n: bigint; h: bigint | null };
    return { rows: Number(r.n), perDir, checksum: String(r.h) };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Creates the stream topics and the stages' state topics before any stage starts, one at a time. */
async function createTopics(list: string, prefix: string, groups: readonly string[]): Promise<void> {
  const admin = createKafka({ brokers: list.split(",") }).admin();
  await admin.connect();
  try {
    const streams = ["trades", "candles", "features", "predictions"].map((t) => `${prefix}${t}`);
    const steps = [
      () => ensureTopics(admin, streams, PARTITIONS),
      ...groups.map((g) => () => ensureStateTopic(admin, stateTopic(g), PARTITIONS)),
    ];
    for (const step of steps) await step();
  } finally {
    await admin.disconnect();
  }
}

interface Pass {
  /** Trades/s: the pass's trades over its seconds. */
  rate: number;
  seconds: number;
  publishSeconds: number;
}

interface Run {
  k: number;
  /** Published while the consumers run: first publish → lag zero. */
  live: Pass;
  /** Published while the consumers are paused (SIGSTOP), then resumed: resume → lag zero. */
  backlog: Pass;
  startupSeconds: number;
  table: Table;
  /** What the processes logged (at warn and above) once their groups had settled. */
  problems: string[];
  /** Lines logged while the members joined (kafkajs's rebalance notices, as each one arrives). */
  startupLines: number;
}

/** Waits until both groups have consumed everything; rejects if a process exits or the run is stuck. */
async function caughtUp(bus: Bus, groups: string[], procs: Proc[]): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    // The candles group commits after its candles are sent, so once its lag is zero the features
    // group's lag, read after, counts every candle there will be.
    const candles = await lag(bus.admin, groups[0] as string, bus.topics.trades);
    if (candles === 0 && await lag(bus.admin, groups[1] as string, bus.topics.candles) === 0) return;
    noneExited(procs);
    if (performance.now() - t0 > RUN_LIMIT_MS) {
      throw new Error(`not caught up after ${RUN_LIMIT_MS / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function publishAll(bus: Bus, trades: readonly Trade[]): Promise<number> {
  const publish = tradesPublisher(bus);
  const t0 = performance.now();
  for (let i = 0; i < trades.length; i += 20_000) await publish.trades(trades.slice(i, i + 20_000));
  await publish.end(PAIRS.map((p) => p.pair));
  return (performance.now() - t0) / 1000;
}

/**
 * One k: start the 2k processes and wait until both groups have settled with k members each; then
 * the live pass (publish while they consume, time from the first publish to lag zero), and the
 * backlog pass (the processes paused with SIGSTOP while the continuation is published, well inside
 * their 30 s session, then resumed; time from resuming to lag zero), which is what the consumers
 * manage when the publisher is not the limit.
 */
async function runK(
  list: string,
  k: number,
  prefix: string,
  dir: string,
  input: readonly Trade[],
  more: readonly Trade[],
): Promise<Run> {
  const groups = [`${prefix}candles-stage`, `${prefix}features-stage`];
  await createTopics(list, prefix, groups);
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const bus = await openBus({
    brokers: list.split(","),
    topicPrefix: prefix,
    partitions: PARTITIONS,
    busDeadlineMs: 60_000,
  }, quiet);
  const common = ["--bus", "kafka", "--brokers", list, "--topic-prefix", prefix, "--partitions", "8"];
  const procs: Proc[] = [];
  try {
    const began = performance.now();
    for (const stage of ["candles", "features"]) {
      for (let i = 0; i < k; i++) {
        procs.push(ingest(`${stage} ${i + 1}`, [
          ...["--stage", stage, "--data-dir", `${dir}/${stage}-${i}`, "--log-level", "warn"],
          ...common,
        ]));
      }
    }
    await groupsReady(bus.admin, groups, k, procs);
    const startupSeconds = (performance.now() - began) / 1000;
    const settled = procs.map((p) => p.log().length);

    const t0 = performance.now();
    const livePublish = await publishAll(bus, input);
    await caughtUp(bus, groups, procs);
    const liveSeconds = (performance.now() - t0) / 1000;

    for (const p of procs) p.child.kill("SIGSTOP");
    let backlogPublish: number;
    try {
      backlogPublish = await publishAll(bus, more);
    } finally {
      for (const p of procs) p.child.kill("SIGCONT");
    }
    const t1 = performance.now();
    await caughtUp(bus, groups, procs);
    const backlogSeconds = (performance.now() - t1) / 1000;

    await stopAll(procs);
    const failed = procs.find((p) => !p.status?.success);
    if (failed) throw new Error(`${failed.name} exited ${failed.status?.code} after Ctrl-C`);
    const dirs = Array.from({ length: k }, (_, i) => `${dir}/features-${i}`);
    return {
      k,
      live: { rate: input.length / liveSeconds, seconds: liveSeconds, publishSeconds: livePublish },
      backlog: {
        rate: more.length / backlogSeconds,
        seconds: backlogSeconds,
        publishSeconds: backlogPublish,
      },
      startupSeconds,
      table: await unionTable(dirs),
      problems: procs.flatMap((p, i) => messages(p.log().slice(settled[i]))),
      startupLines: procs.reduce((n, p, i) => n + messages(p.log().slice(0, settled[i])).length, 0),
    };
  } finally {
    await stopAll(procs);
    await bus.close();
  }
}

export async function benchBusScaling(): Promise<BenchResult[]> {
  const began = performance.now();
  const dir = await Deno.makeTempDir({ prefix: "bench-bus-scaling-" });
  const results: BenchResult[] = [];
  let b: Broker | null = null;
  // Ctrl-C on the bench: its stage processes, broker and temp dir go too.
  const interrupted = () => {
    for (const p of running) p.child.kill("SIGKILL");
    b?.stop();
    Deno.removeSync(dir, { recursive: true });
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", interrupted);
  try {
    b = broker(dir);
    if (b === null) return [];
    const { trades: input, realHourTrades } = await densityInput(PAIRS, N);
    console.log(
      `  input: ${fmt(input.length)} trades of ${PAIRS.length} pairs, time-ordered, from ` +
        (realHourTrades !== null
          ? `the shared real Kraken BTC/USD hour (2019-07-01, ${
            fmt(realHourTrades)
          } trades), repeated per pair ` +
            `with shifted times and ids`
          : `SYNTHETIC trades (../shared/data absent): src/sim/synthetic.ts squeezed to the real hour's ` +
            `${REAL_TRADES_PER_MINUTE.toFixed(1)} trades per minute per pair`),
    );
    console.log(
      `  topics of ${PARTITIONS} partitions on ${b.list}; k candles + k features processes ` +
        `(deno task ingest --bus kafka --stage candles|features, windows 1m,5m, each its own data dir)`,
    );
    const more = continued(input);
    const tag = `scal${Date.now().toString(36)}`;
    const runs: Run[] = [];
    let last = 0;
    for (const k of KS) {
      const elapsed = (performance.now() - began) / 1000;
      if (runs.length > 0 && elapsed + last > BUDGET_S) {
        console.log(
          `  k=${k} and above SKIPPED: a run takes about ${last.toFixed(0)} s here, and another would pass ` +
            `the suite's ${BUDGET_S} s budget (BENCH_SCALING_BUDGET_S)`,
        );
        break;
      }
      const t = performance.now();
      try {
        const run = await runK(b.list, k, `${tag}k${k}.`, `${dir}/k${k}`, input, more);
        if (runs.length === 0) await reportPartitions(b.list, `${tag}k${k}.`);
        runs.push(run);
        const base = runs[0] as Run;
        const same = run.table.rows === base.table.rows && run.table.checksum === base.table.checksum;
        const vs = (pass: "live" | "backlog") =>
          run === base ? "" : `, ${(run[pass].rate / base[pass].rate).toFixed(2)}x k=${base.k}`;
        console.log(
          `  k=${k}: live ${fmt(run.live.rate)} trades/s${vs("live")} (${
            run.live.seconds.toFixed(1)
          } s from ` +
            `first publish to lag zero, publishing ${run.live.publishSeconds.toFixed(1)} s of it); backlog ` +
            `${fmt(run.backlog.rate)} trades/s${vs("backlog")} (${
              run.backlog.seconds.toFixed(1)
            } s to drain); ` +
            `start-up and group joins ${run.startupSeconds.toFixed(1)} s, not counted`,
        );
        console.log(
          `  k=${k}: feature rows ${run.table.perDir.map(fmt).join(" + ")} in ${k} data dir(s), union ` +
            `${fmt(run.table.rows)}` +
            (run === base ? "" : same ? `, equal to k=${base.k}'s` : `, DIFFERENT from k=${base.k}'s`),
        );
        if (run.backlog.publishSeconds > 20) {
          console.log(
            `  k=${k}: the processes were paused ${
              run.backlog.publishSeconds.toFixed(0)
            } s, near their 30 s ` +
              "session: the backlog figure may include a rebalance (set BENCH_SCALING_TRADES lower)",
          );
        }
        if (run.startupLines > 0) {
          console.log(
            `  k=${k}: ${run.startupLines} warning(s) while the members joined (kafkajs rebalance notices)`,
          );
        }
        for (const p of new Set(run.problems)) console.log(`  k=${k} logged: ${p.slice(0, 200)}`);
        for (const pass of ["live", "backlog"] as const) {
          results.push({
            name: `bus scaling, ${pass === "live" ? "live (first publish → lag 0)" : "backlog drain"}: ` +
              `${k} candles + ${k} features processes, 8 pairs, 8 partitions`,
            value: run[pass].rate,
            unit: "trades/s",
            reference: `k=${base.k}, same run`,
            referenceValue: base[pass].rate,
            ratio: run[pass].rate / base[pass].rate,
            target: "reported (2 shared cores: little gain past k=2); tables equal",
            pass: same,
          });
        }
      } catch (e) {
        console.log(`  k=${k} FAILED: ${(e as Error).message}`);
      }
      last = (performance.now() - t) / 1000;
      await Deno.remove(`${dir}/k${k}`, { recursive: true }).catch(() => {});
    }
    console.log(`  bus scaling suite: ${((performance.now() - began) / 1000).toFixed(0)} s`);
    if (!b.owned) await dropTopics(b.list, tag);
  } finally {
    Deno.removeSignalListener("SIGINT", interrupted);
    b?.stop();
    await Deno.remove(dir, { recursive: true });
  }
  return results;
}

/** Trades per partition of a run's topic (both passes): shows the pairs spread over all 8. */
async function reportPartitions(list: string, prefix: string): Promise<void> {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const bus = await openBus({
    brokers: list.split(","),
    topicPrefix: prefix,
    partitions: PARTITIONS,
    busDeadlineMs: 60_000,
  }, quiet);
  try {
    const ends = (await bus.admin.fetchTopicOffsets(bus.topics.trades)).sort((a, b) =>
      a.partition - b.partition
    );
    console.log(
      `  trades per partition (both passes, with the end messages): ${
        ends.map((e) => fmt(Number(e.high))).join(", ")
      }`,
    );
  } finally {
    await bus.close();
  }
}

/** On a broker the suite did not start: drops the topics and groups it made. */
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
