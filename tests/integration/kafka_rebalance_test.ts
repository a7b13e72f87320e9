/**
 * Rebalancing over a real Apache Kafka broker (tests/kafka_harness.ts): with topics of four
 * partitions, one pair each, a second candles process and a second features process join their
 * groups while trades flow, then the first two leave while trades flow (Ctrl-C, or killed), and
 * the last open windows are closed only after. Each features process writes the stores of its own
 * data dir, so the table is the union of the two; it must equal the embedded pipeline's (a trade
 * or candle applied twice would change it), with every pair's rows in both dirs (its partition
 * changed hands). The candles and features topics must hold each candle and row once after a clean
 * leave, and after a kill only repeats equal to the first copy.
 */
import { assert, assertEquals } from "../assert.ts";
import { burstyTrades, runPipeline } from "../helpers.ts";
import { testBroker, uniquePrefix } from "../kafka_harness.ts";
import type { Trade } from "../../src/domain/trade.ts";
import { tradeToJsonLine } from "../../src/domain/trade.ts";
import type { Window } from "../../src/domain/candle.ts";
import type { FeatureRow } from "../../src/domain/feature_row.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { CSV_HEADER, rowToCsv } from "../../src/stores/feature_export.ts";
import { createKafka, ensureTopics } from "../../src/bus/kafka.ts";
import { type Bus, lag, openBus } from "../../src/bus/bus.ts";
import { ensureStateTopic, stateTopic } from "../../src/bus/changelog.ts";

const broker = await testBroker();
const ignore = "skip" in broker;
const BROKERS = "brokers" in broker ? broker.brokers : "";
/** Kafka's key hash puts each of these pairs in its own one of four partitions. */
const PAIRS = ["SOL/USD", "BTC/USD", "BCH/USD", "ETH/USD"];
const PARTITIONS = 4;
const WINDOWS = ["1m", "5m"] as const;

/** Bursty trades of every pair, merged in time order, with per-pair trade ids. */
function marketTrades(minutes: number, seed: number): Trade[] {
  const all = PAIRS.flatMap((pair, i) =>
    burstyTrades(minutes, { pair, seed: seed * 10 + i }).map((t, j) => ({ ...t, trade_id: j + 1 }))
  );
  return all.sort((a, b) => a.ts - b.ts || a.pair.localeCompare(b.pair));
}

async function rows(dataDir: string, window: Window): Promise<FeatureRow[]> {
  const store = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`, { readOnly: true });
  try {
    const out: FeatureRow[] = [];
    for (const pair of PAIRS) out.push(...await store.range(pair, window));
    return out;
  } finally {
    store.close();
  }
}

const csv = (rs: readonly FeatureRow[]) => [CSV_HEADER, ...rs.map(rowToCsv)].join("\n");
const byPairThenTime = (a: FeatureRow, b: FeatureRow) =>
  PAIRS.indexOf(a.pair) - PAIRS.indexOf(b.pair) || a.window_start - b.window_start;

/**
 * The union of several data dirs' tables; a row in more than one dir must be the same row in
 * each, or the union is not one table and this throws.
 */
async function unionTable(dataDirs: readonly string[], window: Window): Promise<string> {
  const byKey = new Map<string, FeatureRow>();
  for (const dir of dataDirs) {
    for (const r of await rows(dir, window)) {
      const key = `${r.pair} ${r.window_start}`;
      const seen = byKey.get(key);
      if (seen) assertEquals(rowToCsv(r), rowToCsv(seen), `${window} row ${key} differs between data dirs`);
      byKey.set(key, r);
    }
  }
  return csv([...byKey.values()].sort(byPairThenTime));
}

/** A process whose stderr is read as it runs, so its log can be watched. */
interface Proc {
  child: Deno.ChildProcess;
  log(): string;
  /** Resolves with the whole log once it exited 0; rejects with the log otherwise. */
  ok(): Promise<string>;
}

function start(what: string, script: string, args: string[], cwd: string): Proc {
  const child = runPipeline(script, args, cwd);
  let text = "";
  const drained = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (s) => void (text += s) }),
  );
  const exited = Promise.all([child.status, drained]).then(([status]) => status);
  return {
    child,
    log: () => text,
    ok: async () => {
      const status = await exited;
      assertEquals(status.code, 0, `${what} exited ${status.code}:\n${text}`);
      return text;
    },
  };
}

/** Kills whatever of `procs` still runs and waits for each to exit. */
async function killAll(procs: readonly Proc[]): Promise<void> {
  for (const p of procs) {
    try {
      p.child.kill("SIGKILL");
    } catch { /* exited */ }
    await p.child.status;
  }
}

/** The partitions each assignment in a stage's log gave it, in order. */
function assignments(log: string): number[][] {
  return [...log.matchAll(/stage: assigned partitions ([\d, ]+|none) of/g)].map((m) =>
    m[1] === "none" ? [] : (m[1] as string).split(", ").map(Number)
  );
}

async function waitUntil(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

async function writeLines(file: Deno.FsFile, trades: readonly Trade[]): Promise<void> {
  const bytes = new TextEncoder().encode(trades.map(tradeToJsonLine).join("\n") + "\n");
  for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
}

/** What is read of a message here. */
interface Message {
  value: { toString(): string } | null;
}

/** Every message of a topic, read from the start to the end offsets of the moment. */
async function readTopic(topic: string): Promise<Message[]> {
  const kafka = createKafka({ brokers: BROKERS.split(",") });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  const total = ends.reduce((n, e) => n + Number(e.high) - Number(e.low), 0);
  const groupId = `${topic}.test-reader`;
  const consumer = kafka.consumer({ groupId });
  const out: Message[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void out.push(message)) });
    await waitUntil(() => out.length >= total, 30_000, `reading ${total} messages of ${topic}`);
    return out;
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
}

/** Creates the stream topics and the stages' state topics before any stage starts, one at a time. */
async function createTopics(prefix: string, groups: readonly string[]): Promise<void> {
  const admin = createKafka({ brokers: BROKERS.split(",") }).admin();
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

/**
 * Among a topic's `candle` or `feature` messages, the keys (pair, window, start) that occur more
 * than once, and those whose copies are not all the same.
 */
function copies(messages: readonly Message[]): { doubled: string[]; differing: string[] } {
  const seen = new Map<string, string[]>();
  for (const m of messages) {
    const value = m.value?.toString() ?? "{}";
    const { data } = JSON.parse(value) as { data: { pair: string; window: string; window_start: number } };
    const key = `${data.pair} ${data.window} ${data.window_start}`;
    seen.set(key, [...seen.get(key) ?? [], value]);
  }
  const many = [...seen].filter(([, vs]) => vs.length > 1);
  return {
    doubled: many.map(([k, vs]) => `${k} ×${vs.length}`),
    differing: many.filter(([, vs]) => vs.some((v) => v !== vs[0])).map(([k]) => k),
  };
}

/**
 * The scenario, with the first consumers leaving by Ctrl-C (a clean leave: the group hands their
 * partitions over at once) or by SIGKILL (a crash: the partitions wait out the 30 s session).
 */
async function joinAndLeave(leave: "SIGINT" | "SIGKILL"): Promise<void> {
  const dir = await Deno.makeTempDir();
  const procs: Proc[] = [];
  let bus: Bus | undefined;
  try {
    const trades = marketTrades(1500, 6);
    await Deno.writeTextFile(`${dir}/t.jsonl`, trades.map(tradeToJsonLine).join("\n") + "\n");
    await start("embedded", "backfill", [
      ...["--file", "t.jsonl", "--windows", WINDOWS.join(","), "--data-dir", "embedded"],
    ], dir).ok();
    const want = Object.fromEntries(
      await Promise.all(WINDOWS.map(async (w) => [w, csv(await rows(`${dir}/embedded`, w))])),
    ) as Record<Window, string>;

    const prefix = uniquePrefix("rebalance");
    const groups = { candles: `${prefix}candles-stage`, features: `${prefix}features-stage` };
    await createTopics(prefix, Object.values(groups));
    bus = await openBus({
      brokers: BROKERS.split(","),
      topicPrefix: prefix,
      partitions: PARTITIONS,
      busDeadlineMs: 30_000,
    }, { debug() {}, info() {}, warn() {}, error() {} });
    const admin = bus.admin, topics = bus.topics;
    const flags = [
      ...["--bus", "kafka", "--brokers", BROKERS, "--topic-prefix", prefix],
      ...["--partitions", String(PARTITIONS)],
    ];
    const stage = (name: "candles" | "features", dataDir: string) => {
      const p = start(`${name} ${dataDir}`, "ingest", [
        ...["--stage", name, "--windows", WINDOWS.join(","), "--data-dir", dataDir],
        ...flags,
      ], dir);
      procs.push(p);
      return p;
    };
    const tradesEnd = async () =>
      (await admin.fetchTopicOffsets(topics.trades)).reduce((n, e) => n + Number(e.high), 0);
    /**
     * A check that the trades written to the pipe since the topic's end was `before` are published
     * and both groups caught up with them. A message holds many trades, in batches the trades stage
     * chose, so "published" is read as the end past `before` and then not moving for 1.5 s (the
     * stage publishes what it read within a second).
     */
    const caughtUp = (before: number) => {
      let lastEnd = -1, movedAt = 0;
      return async () => {
        const end = await tradesEnd();
        if (end <= before) return false;
        if (end !== lastEnd) {
          lastEnd = end;
          movedAt = Date.now();
          return false;
        }
        if (Date.now() - movedAt < 1500) return false;
        return await lag(admin, groups.candles, topics.trades) === 0 &&
          await lag(admin, groups.features, topics.candles) === 0;
      };
    };

    const candlesA = stage("candles", "candles-a"), featuresA = stage("features", "features-a");
    // Through a pipe the test feeds, so the stream stays open (no pair's end yet) throughout.
    const fifo = await new Deno.Command("mkfifo", { args: [`${dir}/live.jsonl`] }).output();
    assert(fifo.success, "mkfifo");
    const source = start("trades stage", "backfill", [
      ...["--file", "live.jsonl", "--format", "trades-jsonl", "--stage", "trades", "--data-dir", "trades"],
      ...flags,
    ], dir);
    procs.push(source);
    const pipe = await Deno.open(`${dir}/live.jsonl`, { write: true });
    const third = Math.floor(trades.length / 3);
    const firstDone = caughtUp(await tradesEnd());
    await writeLines(pipe, trades.slice(0, third));
    await waitUntil(firstDone, 120_000, "A's stages take the first third");

    // B joins while the second third flows.
    const candlesB = stage("candles", "candles-b"), featuresB = stage("features", "features-b");
    const secondDone = caughtUp(await tradesEnd());
    await writeLines(pipe, trades.slice(third, 2 * third));
    const sharing = (p: Proc) => assignments(p.log()).at(-1)?.length === PARTITIONS / 2;
    await waitUntil(
      () => [candlesA, featuresA, candlesB, featuresB].every(sharing),
      120_000,
      "every consumer owns two of the four partitions",
    );
    await waitUntil(secondDone, 120_000, "the stages take the second third");

    // A leaves while the last third flows.
    const lastDone = caughtUp(await tradesEnd());
    const last = writeLines(pipe, trades.slice(2 * third));
    candlesA.child.kill(leave);
    featuresA.child.kill(leave);
    if (leave === "SIGINT") await Promise.all([candlesA.ok(), featuresA.ok(), last]);
    else await Promise.all([candlesA.child.status, featuresA.child.status, last]);
    const all = (p: Proc) => assignments(p.log()).at(-1)?.length === PARTITIONS;
    await waitUntil(() => all(candlesB) && all(featuresB), 120_000, "B owns all four partitions");
    // Only now do the pairs' end messages close their last windows, in B.
    pipe.close();
    await source.ok();
    await waitUntil(lastDone, 120_000, "the stages catch up");
    candlesB.child.kill("SIGINT");
    featuresB.child.kill("SIGINT");
    await Promise.all([candlesB.ok(), featuresB.ok()]);

    // B took over partitions with state: it restored it from the changelogs, replaying nothing.
    for (const p of [candlesB, featuresB]) {
      assert(/restored its state at offset/.test(p.log()) && !/rebuilding/.test(p.log()), p.log());
    }
    const dirs = [`${dir}/features-a`, `${dir}/features-b`];
    for (const w of WINDOWS) assertEquals(await unionTable(dirs, w), want[w], `${w} table`);
    for (const d of dirs) {
      const pairs = new Set((await rows(d, "1m")).map((r) => r.pair));
      assertEquals([...pairs].sort(), [...PAIRS].sort(), `pairs with rows in ${d}`);
    }
    for (const topic of [topics.candles, topics.features]) {
      const { doubled, differing } = copies(await readTopic(topic));
      // A crash between a slice's outputs and its checkpoint repeats the slice (at least once
      // delivery): the repeats must be the same messages, which the next stage drops. A clean
      // leave repeats nothing.
      assertEquals(differing, [], `${topic}: keys published with different values`);
      if (leave === "SIGINT") assertEquals(doubled, [], `${topic}: keys published more than once`);
    }
  } finally {
    await bus?.close();
    await killAll(procs);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name:
    "kafka: candles and features consumers joining, then leaving (Ctrl-C) mid-stream lose and double nothing",
  ignore,
  fn: () => joinAndLeave("SIGINT"),
});

Deno.test({
  name:
    "kafka: candles and features consumers joining, then killed mid-stream lose nothing and repeat only copies",
  ignore,
  fn: () => joinAndLeave("SIGKILL"),
});

Deno.test({
  name:
    "kafka: a consumer told to stop (Ctrl-C) while it is still starting or joining its group exits cleanly",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const procs: Proc[] = [];
    try {
      const prefix = uniquePrefix("joinstop");
      await createTopics(prefix, [`${prefix}features-stage`]);
      const features = (dataDir: string) => {
        const p = start(`features ${dataDir}`, "ingest", [
          ...["--stage", "features", "--windows", WINDOWS.join(","), "--data-dir", dataDir],
          ...["--bus", "kafka", "--brokers", BROKERS, "--topic-prefix", prefix],
          ...["--partitions", String(PARTITIONS)],
        ], dir);
        procs.push(p);
        return p;
      };
      // A member in the group, so each newcomer waits in a rebalance while it joins.
      const first = features("features-a");
      await waitUntil(() => assignments(first.log()).length > 0, 60_000, "the first member is assigned");
      // Interrupted at several points of its start: before, while and just after connecting and joining.
      for (const [i, afterMs] of [0, 400, 1500, 4000].entries()) {
        const late = features(`features-${i}`);
        await waitUntil(() => /Kafka at /.test(late.log()), 60_000, "the newcomer has connected");
        await new Promise((r) => setTimeout(r, afterMs));
        late.child.kill("SIGINT");
        const exited = await Promise.race([
          late.ok().then(() => true),
          new Promise<false>((r) => setTimeout(() => r(false), 30_000)),
        ]);
        assert(exited, `interrupted ${afterMs} ms after connecting, it ran on:\n${late.log()}`);
      }
      first.child.kill("SIGINT");
      await first.ok();
    } finally {
      await killAll(procs);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
