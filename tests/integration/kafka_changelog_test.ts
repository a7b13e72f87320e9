/**
 * Stage state in changelog topics, over a real Apache Kafka broker (tests/kafka_harness.ts): the
 * candles and features stages run in data dir A, are killed, the input topics' early records are
 * deleted as retention would, and the same stages started in an empty data dir B (a new machine)
 * restore from `<prefix>candles.state` and `<prefix>features.state` and go on to the same feature
 * tables as the embedded pipeline. And `deno task bus status`: its table, its JSON, its error.
 */
import { assert, assertEquals } from "../assert.ts";
import { burstyTrades, runPipeline } from "../helpers.ts";
import { removeGroupMembers, TEST_PORT, testBroker, uniquePrefix } from "../kafka_harness.ts";
import type { Trade } from "../../src/domain/trade.ts";
import { tradeToJsonLine } from "../../src/domain/trade.ts";
import type { Window } from "../../src/domain/candle.ts";
import type { FeatureRow } from "../../src/domain/feature_row.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { CSV_HEADER, rowToCsv } from "../../src/stores/feature_export.ts";
import { openFeatureStores } from "../../src/stores/feature_stores.ts";
import { createKafka, ensureTopics } from "../../src/bus/kafka.ts";
import { BusProducer } from "../../src/bus/producer.ts";
import { encode } from "../../src/bus/codec.ts";
import { lag, openBus, startConsumerStages } from "../../src/bus/bus.ts";
import { decodeState, encodeState, stateTopic } from "../../src/bus/changelog.ts";
import { type PartitionStatus, stageNames, stagePrefixes } from "../../src/bus/stage_status.ts";
import { noStagesText } from "../../src/jobs/bus_status_job.ts";
import { statusTable } from "../../src/jobs/bus_status_job.ts";

const broker = await testBroker();
const ignore = "skip" in broker;
const BROKERS = "brokers" in broker ? broker.brokers : "";
const PAIRS = ["BTC/USD", "ETH/USD", "SOL/USD"];
const WINDOWS = ["1m", "5m"] as const;

/** Several pairs of bursty trades, merged in time order, with per-pair trade ids. */
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

/** The offline tables of several data dirs as one store would hold them: later dirs' rows win. */
async function mergedTable(dataDirs: readonly string[], window: Window): Promise<string> {
  const byKey = new Map<string, FeatureRow>();
  for (const dir of dataDirs) {
    for (const r of await rows(dir, window)) byKey.set(`${r.pair} ${r.window_start}`, r);
  }
  const merged = [...byKey.values()].sort((a, b) =>
    PAIRS.indexOf(a.pair) - PAIRS.indexOf(b.pair) || a.window_start - b.window_start
  );
  return [CSV_HEADER, ...merged.map(rowToCsv)].join("\n");
}

async function ok(child: Deno.ChildProcess, what: string): Promise<string> {
  const out = await child.output();
  const log = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, `${what}:\n${log}`);
  return log;
}

async function waitUntil(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

const bus = (prefix: string) => ["--bus", "kafka", "--brokers", BROKERS, "--topic-prefix", prefix];
const tradeMessages = (trades: readonly Trade[]) =>
  trades.map((t) => ({ key: t.pair, value: encode({ type: "trade", data: t }) }));
const ends = () => PAIRS.map((pair) => ({ key: pair, value: encode({ type: "end", data: { pair } }) }));

Deno.test({
  name: "kafka: a stage killed in data dir A restores from its changelog in an empty data dir B, " +
    "with the input's early records deleted, and the feature tables equal the embedded pipeline",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const kafka = createKafka({ brokers: BROKERS.split(",") });
    const admin = kafka.admin();
    await admin.connect();
    const producer = await BusProducer.connect(kafka);
    const children: Deno.ChildProcess[] = [];
    try {
      const trades = marketTrades(400, 6);
      await Deno.writeTextFile(`${dir}/t.jsonl`, trades.map(tradeToJsonLine).join("\n") + "\n");
      await ok(
        runPipeline("backfill", ["--file", "t.jsonl", "--windows", "1m,5m", "--data-dir", "embedded"], dir),
        "embedded",
      );
      const want = Object.fromEntries(
        await Promise.all(WINDOWS.map(async (w) => [w, await mergedTable([`${dir}/embedded`], w)])),
      ) as Record<Window, string>;

      const prefix = uniquePrefix("changelog");
      const topics = {
        trades: `${prefix}trades`,
        candles: `${prefix}candles`,
        features: `${prefix}features`,
      };
      const groups = { candles: `${prefix}candles-stage`, features: `${prefix}features-stage` };
      await ensureTopics(admin, Object.values(topics), 3);
      const stage = (name: "candles" | "features", dataDir: string) => {
        const child = runPipeline(
          "ingest",
          ["--stage", name, "--windows", "1m,5m", "--data-dir", dataDir, ...bus(prefix)],
          dir,
        );
        children.push(child);
        return child;
      };
      const committed = async (group: string, topic: string) =>
        (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions ?? [];
      const caughtUp = async () => {
        try {
          return await lag(admin, groups.candles, topics.trades) === 0 &&
            await lag(admin, groups.features, topics.candles) === 0 &&
            (await admin.fetchTopicOffsets(topics.candles)).some((o) => o.high !== "0");
        } catch {
          return false;
        }
      };

      // Machine A: the first 60% of the trades, then killed without a chance to leave or flush.
      const cut = Math.floor(trades.length * 0.6);
      await producer.send(topics.trades, tradeMessages(trades.slice(0, cut)));
      const candlesA = stage("candles", "a"), featuresA = stage("features", "a");
      await waitUntil(caughtUp, 120_000, "the stages in A catch up");
      for (const p of [candlesA, featuresA]) p.kill("SIGKILL");
      await Promise.all([candlesA.output(), featuresA.output()]);
      // As when their sessions expire, without waiting 30 s for it.
      if ("owned" in broker && broker.owned) {
        for (const g of Object.values(groups)) await removeGroupMembers(TEST_PORT, g);
      }

      // Retention: the records the groups have committed are gone, so a replay cannot rebuild.
      for (const [group, topic] of [[groups.candles, topics.trades], [groups.features, topics.candles]]) {
        const done = (await committed(group!, topic!)).filter((p) => Number(p.offset) > 0);
        assert(done.length > 0, `${group} committed on ${topic}`);
        await admin.deleteTopicRecords({
          topic: topic!,
          partitions: done.map((p) => ({ partition: p.partition, offset: p.offset })),
        });
        const lows = await admin.fetchTopicOffsets(topic!);
        for (const p of done) {
          assertEquals(lows.find((o) => o.partition === p.partition)?.low, p.offset, topic);
        }
      }

      // Machine B: an empty data dir; the rest of the trades, then the end of the history.
      const candlesB = stage("candles", "b"), featuresB = stage("features", "b");
      await producer.send(topics.trades, tradeMessages(trades.slice(cut)));
      await producer.send(topics.trades, ends());
      await waitUntil(caughtUp, 180_000, "the stages in B catch up");
      await new Promise((r) => setTimeout(r, 1000));
      await waitUntil(caughtUp, 30_000, "the stages in B stay caught up");
      for (const p of [candlesB, featuresB]) p.kill("SIGINT");
      const [candlesLog, featuresLog] = await Promise.all([
        ok(candlesB, "candles B"),
        ok(featuresB, "features B"),
      ]);

      for (const [name, log] of [["candles", candlesLog], ["features", featuresLog]]) {
        assert(
          /no checkpoint here; restored its state at offset \d+ from \S+\.state/.test(log!),
          `${name}:\n${log}`,
        );
        assert(!/rebuilding its state/.test(log!), `${name} replayed:\n${log}`);
      }
      assert((await rows(`${dir}/a`, "1m")).length > 0, "A wrote rows");
      assert((await rows(`${dir}/b`, "1m")).length > 0, "B wrote rows");
      for (const w of WINDOWS) {
        assertEquals(await mergedTable([`${dir}/a`, `${dir}/b`], w), want[w], `${w} table`);
      }

      const described = await admin.describeConfigs({
        resources: [{ type: 2, name: stateTopic(groups.candles), configNames: ["cleanup.policy"] }],
        includeSynonyms: false,
      });
      assertEquals(described.resources[0]?.configEntries[0]?.configValue, "compact");
    } finally {
      for (const c of children) {
        try {
          c.kill("SIGKILL");
        } catch { /* already exited */ }
        await c.output().catch(() => {});
      }
      await producer.disconnect();
      await admin.disconnect();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function busStatus(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await runPipeline("bus", ["status", ...args], cwd).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test({
  name: "kafka: bus status shows each stage's committed offset, lag, state offset and checkpoint time",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const prefix = uniquePrefix("status");
    const log = { debug() {}, info() {}, warn() {}, error() {} };
    const b = await openBus({
      brokers: BROKERS.split(","),
      topicPrefix: prefix,
      partitions: 2,
      busDeadlineMs: 30_000,
    }, log);
    try {
      const trades = marketTrades(30, 7).filter((t) => t.pair === "BTC/USD");
      await b.producer.send(b.topics.trades, tradeMessages(trades));
      const stores = await openFeatureStores(`${dir}/data`);
      const started = Date.now();
      const runs = await startConsumerStages(b, ["candles", "features"], {
        dataDir: `${dir}/data`,
        windows: ["1m", "5m"],
        graceMs: 5000,
        stores,
        deadlineMs: 30_000,
        log,
      });
      await waitUntil(
        async () =>
          await lag(b.admin, `${prefix}candles-stage`, b.topics.trades) === 0 &&
          (await b.admin.fetchTopicOffsets(b.topics.candles)).some((o) => o.high !== "0") &&
          await lag(b.admin, `${prefix}features-stage`, b.topics.candles) === 0,
        60_000,
        "the stages catch up",
      );
      await Promise.all(runs.map((r) => r.stop()));
      stores.close();

      const json = await busStatus([...bus(prefix).slice(2), "--json", "--data-dir", "data"], dir);
      assertEquals(json.code, 0, json.stderr);
      const got = JSON.parse(json.stdout) as PartitionStatus[];
      assertEquals(got.map((r) => `${r.stage} ${r.topic} ${r.partition}`), [
        `candles ${prefix}trades 0`,
        `candles ${prefix}trades 1`,
        `features ${prefix}candles 0`,
        `features ${prefix}candles 1`,
      ]);
      // One pair: one partition of each topic carries everything, the other nothing.
      for (const stage of ["candles", "features"]) {
        const mine = got.filter((r) => r.stage === stage);
        const busy = mine.find((r) => r.end > 0)!;
        assertEquals(busy.committed, busy.end, stage);
        assertEquals(busy.lag, 0);
        assertEquals(busy.stateTopic, `${prefix}${stage}.state`);
        assert(busy.stateOffset !== null && busy.stateOffset >= 0, JSON.stringify(busy));
        assertEquals(busy.checkpointFrom, "changelog");
        const at = Date.parse(busy.checkpointAt!);
        assert(at >= started - 1000 && at <= Date.now(), busy.checkpointAt!);
        const idle = mine.find((r) => r !== busy)!;
        assertEquals([idle.end, idle.lag, idle.stateOffset, idle.checkpointAt], [0, 0, null, null]);
      }

      const table = await busStatus(bus(prefix).slice(2), dir);
      assertEquals(table.code, 0, table.stderr);
      const lines = table.stdout.trimEnd().split("\n");
      assertEquals(lines[0]?.split(/\s{2,}/), [
        "stage",
        "partition",
        "committed",
        "end",
        "lag",
        "state offset",
        "last checkpoint",
      ]);
      assertEquals(lines.length, 5);
      assert(
        lines.some((l) => /^candles\s+\d\s+\d+\s+\d+\s+0\s+\d+\s+\S+Z \(changelog\)$/.test(l)),
        table.stdout,
      );

      const none = await busStatus([...bus(`${prefix}none.`).slice(2)], dir);
      assertEquals(none.code, 0, none.stderr);
      assert(/no stages on the bus under the prefix/.test(none.stdout), none.stdout);
      // Other tests' prefixes may share the broker: this one is among those named.
      const named = none.stdout.split("; stages are under ")[1] ?? "";
      assert(named.includes(`'${prefix}'`), none.stdout);
    } finally {
      await b.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("bus status exits 1 with the reason when the cluster does not answer within --bus-deadline", async () => {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = listener.addr.port;
  listener.close();
  const dir = await Deno.makeTempDir();
  try {
    const out = await busStatus(["--brokers", `127.0.0.1:${port}`, "--bus-deadline", "2"], dir);
    assertEquals(out.code, 1, out.stderr);
    assert(/error: bus status: Kafka unreachable for 2 s/.test(out.stderr), out.stderr);
    assertEquals(out.stdout, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bus status finds a prefix's stages by their groups and state topics, and no other prefix's", () => {
  const groups = [
    "p.candles-stage",
    "p.features-stage",
    "p.candles.state.reader-1a2b",
    "q.candles-stage",
    "x",
  ];
  const topics = ["p.trades", "p.predict.state", "p.q.candles.state", "candles.state"];
  assertEquals(stageNames("p.", groups, topics), ["candles", "features", "predict"]);
  assertEquals(stageNames("", groups, topics), ["candles"]);
  assertEquals(stateTopic("p.candles-stage"), "p.candles.state");
  assertEquals(stagePrefixes(["candles", "features", "predict"], groups, topics), ["", "p.", "p.q.", "q."]);
});

Deno.test("bus status under a prefix with no stages names the prefixes that have some", () => {
  const none = "no stages on the bus under the prefix 'pp.' yet (no consumer group pp.NAME-stage with " +
    "committed offsets, no topic pp.NAME.state)";
  assertEquals(noStagesText("pp.", []), none);
  assertEquals(noStagesText("pp.", ["", "p."]), `${none}; stages are under no prefix, 'p.' (--topic-prefix)`);
});

Deno.test("bus status's table lines up its columns and says where each checkpoint time comes from", () => {
  const row = (stage: string, partition: number, more: Partial<PartitionStatus>): PartitionStatus => ({
    stage,
    group: `${stage}-stage`,
    topic: "trades",
    partition,
    committed: null,
    end: 0,
    lag: 0,
    stateTopic: `${stage}.state`,
    stateOffset: null,
    checkpointAt: null,
    checkpointFrom: null,
    ...more,
  });
  assertEquals(
    statusTable([
      row("candles", 0, {
        committed: 5321,
        end: 5400,
        lag: 79,
        stateOffset: 12,
        checkpointAt: "2026-01-01T12:00:03.512Z",
        checkpointFrom: "changelog",
      }),
      row("features", 1, {
        end: 7,
        lag: 7,
        checkpointAt: "2026-01-01T11:00:00.000Z",
        checkpointFrom: "local",
      }),
    ]),
    [
      "stage     partition  committed  end   lag  state offset  last checkpoint",
      "candles   0          5321       5400  79   12            2026-01-01T12:00:03.512Z (changelog)",
      "features  1          -          7     7    -             2026-01-01T11:00:00.000Z (local)",
    ],
  );
});

Deno.test("a state record keeps its offset, time and state, and a foreign or damaged one is refused", () => {
  const value = encodeState("p.trades", 2, { offset: 41n, at: 1767225600000, state: { n: [1, 2] } });
  assertEquals(decodeState(value), {
    topic: "p.trades",
    partition: 2,
    offset: 41n,
    at: 1767225600000,
    state: { n: [1, 2] },
  });
  const bad = (v: string | null) => {
    try {
      decodeState(v);
      return "accepted";
    } catch (e) {
      return (e as Error).message;
    }
  };
  assertEquals(bad(null), "the record has no value");
  assertEquals(bad(value.replace('"v":1', '"v":2')), "state version 2 is not 1");
  assertEquals(bad(value.replace('"offset":"41"', '"offset":41')), "the record has no offset");
  assert(/Unexpected|JSON/.test(bad("{not json")), bad("{not json"));
});
