/**
 * The pipeline split over a real Apache Kafka broker (tests/kafka_harness.ts): the same results as
 * the embedded pipeline, with two candles consumers sharing a group, a consumer killed and
 * restarted, a broker stopped and restarted, and a malformed message sent to the DLQ; and one
 * stage whose membership the broker forgets, or whose write outlasts its session.
 * One file, over 300 lines, because its tests share one broker, its helpers for reading both stores
 * and the embedded run they compare against; they are the bus's contract, read together.
 */
import { assert, assertEquals } from "../assert.ts";
import { burstyTrades, runPipeline, withSim } from "../helpers.ts";
import { kafkaScript, removeGroupMembers, TEST_PORT, testBroker, uniquePrefix } from "../kafka_harness.ts";
import type { Trade } from "../../src/domain/trade.ts";
import { tradeToJsonLine } from "../../src/domain/trade.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { CSV_HEADER, rowToCsv } from "../../src/stores/feature_export.ts";
import { createKafka, ensureTopics } from "../../src/bus/kafka.ts";
import { BusProducer } from "../../src/bus/producer.ts";
import { runStage, type StageOptions, type StageRun, type StageSpec } from "../../src/bus/consumer_stage.ts";
import { lag, openBus, startConsumerStages } from "../../src/bus/bus.ts";
import { encode, tradeMessages } from "../../src/bus/codec.ts";
import { readStageStatus } from "../../src/bus/stage_status.ts";
import { silent } from "../../src/util/log.ts";
import { openFeatureStores } from "../../src/stores/feature_stores.ts";
import type { Window } from "../../src/domain/candle.ts";

const broker = await testBroker();
const ignore = "skip" in broker;
const BROKERS = "brokers" in broker ? broker.brokers : "";
const PAIRS = ["BTC/USD", "ETH/USD", "SOL/USD", "DOGE/USD"];

/** Several pairs of bursty trades, merged in time order, with per-pair trade ids. */
function marketTrades(minutes: number, seed = 1): Trade[] {
  const all = PAIRS.flatMap((pair, i) =>
    burstyTrades(minutes, { pair, seed: seed * 10 + i }).map((t, j) => ({ ...t, trade_id: j + 1 }))
  );
  return all.sort((a, b) => a.ts - b.ts || a.pair.localeCompare(b.pair));
}

async function writeTrades(path: string, trades: Trade[]): Promise<void> {
  await Deno.writeTextFile(path, trades.map(tradeToJsonLine).join("\n") + "\n");
}

async function table(dataDir: string, window: Window): Promise<string> {
  const store = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`, { readOnly: true });
  try {
    const lines = [CSV_HEADER];
    for (const pair of PAIRS) lines.push(...(await store.range(pair, window)).map(rowToCsv));
    return lines.join("\n");
  } finally {
    store.close();
  }
}

/** The bus run's 1m and 5m tables equal the embedded ones. */
async function assertSameTables(dataDir: string, want: Record<Window, string>): Promise<void> {
  for (const w of ["1m", "5m"] as const) assertEquals(await table(dataDir, w), want[w], `${w} table`);
}

async function ok(child: Deno.ChildProcess, what: string): Promise<string> {
  const out = await child.output();
  const log = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, `${what}:\n${log}`);
  return log;
}

/** The embedded pipeline's tables for a trade file: the reference every bus run must equal. */
async function embedded(dir: string, file: string): Promise<Record<Window, string>> {
  await ok(
    runPipeline("backfill", ["--file", file, "--windows", "1m,5m", "--data-dir", "embedded"], dir),
    "embedded",
  );
  return { "1m": await table(`${dir}/embedded`, "1m"), "5m": await table(`${dir}/embedded`, "5m") } as Record<
    Window,
    string
  >;
}

async function waitUntil(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

/** True once a consumer stage writing to `dataDir` has checkpointed a partition. */
function hasStageCheckpoint(dataDir: string): () => Promise<boolean> {
  return () => {
    try {
      return Promise.resolve(
        [...Deno.readDirSync(`${dataDir}/checkpoints`)].some((e) => e.name.startsWith("bus_")),
      );
    } catch {
      return Promise.resolve(false);
    }
  };
}

async function lagsZero(prefix: string): Promise<boolean> {
  const kafka = createKafka({ brokers: BROKERS.split(",") });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const c = await lag(admin, `${prefix}candles-stage`, `${prefix}trades`);
    const f = await lag(admin, `${prefix}features-stage`, `${prefix}candles`);
    const ends = await admin.fetchTopicOffsets(`${prefix}candles`);
    return c === 0 && f === 0 && ends.some((e) => e.high !== "0");
  } catch {
    return false;
  } finally {
    await admin.disconnect();
  }
}

const bus = (
  prefix: string,
  brokers = BROKERS,
) => ["--bus", "kafka", "--brokers", brokers, "--topic-prefix", prefix];

Deno.test({
  name: "kafka: trades → candles → features over the broker equal the embedded pipeline",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    await writeTrades(`${dir}/t.jsonl`, marketTrades(120));
    const want = await embedded(dir, "t.jsonl");
    const prefix = uniquePrefix("all");
    await ok(
      runPipeline("backfill", [
        "--file",
        "t.jsonl",
        "--windows",
        "1m,5m",
        "--data-dir",
        "bus",
        ...bus(prefix),
      ], dir),
      "backfill over kafka",
    );
    await assertSameTables(`${dir}/bus`, want);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "kafka: two trade files one after another over the broker equal two embedded runs",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    // The second file a day after the first, its trade ids numbered afresh: the candles stage,
    // which outlives neither run's state, must start each pair over at the first file's end.
    const day = 86_400_000;
    await writeTrades(`${dir}/a.jsonl`, marketTrades(45, 1));
    await writeTrades(`${dir}/b.jsonl`, marketTrades(45, 2).map((t) => ({ ...t, ts: t.ts + day })));
    const backfill = (file: string, dataDir: string, extra: string[] = []) =>
      ok(
        runPipeline("backfill", ["--file", file, "--windows", "1m,5m", "--data-dir", dataDir, ...extra], dir),
        `backfill ${file} into ${dataDir}`,
      );
    await backfill("a.jsonl", "embedded");
    await backfill("b.jsonl", "embedded");
    const want = {
      "1m": await table(`${dir}/embedded`, "1m"),
      "5m": await table(`${dir}/embedded`, "5m"),
    } as Record<
      Window,
      string
    >;
    const prefix = uniquePrefix("twofiles");
    await backfill("a.jsonl", "bus", bus(prefix));
    const log = await backfill("b.jsonl", "bus", [...bus(prefix), "--partitions", "2"]);
    await assertSameTables(`${dir}/bus`, want);
    assert(
      log.includes(
        `${prefix}candles, ${prefix}features, ${prefix}predictions, ${prefix}trades have 3 partitions, not the 2 of --partitions`,
      ),
      `existing topics keep their partitions, and the run says so:\n${log}`,
    );
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name:
    "kafka: separate stage processes, two candles consumers in one group, one killed mid-stream and restarted",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    await writeTrades(`${dir}/t.jsonl`, marketTrades(1500, 2));
    const want = await embedded(dir, "t.jsonl");
    const prefix = uniquePrefix("split");
    const stage = (name: string, dataDir: string) =>
      runPipeline(
        "ingest",
        ["--stage", name, "--windows", "1m,5m", "--data-dir", dataDir, ...bus(prefix)],
        dir,
      );
    const candlesA = stage("candles", "candles-a");
    const features = stage("features", "features");
    const trades = runPipeline("backfill", [
      "--file",
      "t.jsonl",
      "--stage",
      "trades",
      "--data-dir",
      "trades",
      ...bus(prefix),
    ], dir);
    // Kill candles consumer A as soon as it has checkpointed some work, while trades still flow.
    await waitUntil(
      hasStageCheckpoint(`${dir}/candles-a`),
      30_000,
      "candles consumer A checkpoints",
    );
    candlesA.kill("SIGKILL");
    await candlesA.output();
    const candlesB = stage("candles", "candles-b");
    const candlesA2 = stage("candles", "candles-a");
    await ok(trades, "trades stage");
    await waitUntil(() => lagsZero(prefix), 120_000, "the stages catch up");
    await new Promise((r) => setTimeout(r, 1000));
    await waitUntil(() => lagsZero(prefix), 30_000, "the stages stay caught up");
    for (const p of [candlesB, candlesA2, features]) p.kill("SIGINT");
    const logs = await Promise.all([
      ok(candlesB, "candles B"),
      ok(candlesA2, "candles A again"),
      ok(features, "features"),
    ]);
    const assigned = (log: string) => [...log.matchAll(/assigned partitions ([\d, ]+) of/g)].length > 0;
    assert(assigned(logs[0]) && assigned(logs[1]), "both candles consumers took partitions");
    await assertSameTables(`${dir}/features`, want);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "kafka: a malformed message goes to the DLQ with its origin and the stage keeps going",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const trades = marketTrades(30, 3).filter((t) => t.pair === "BTC/USD");
    await writeTrades(`${dir}/t.jsonl`, trades);
    const want = await embedded(dir, "t.jsonl");
    const prefix = uniquePrefix("dlq");
    const cfg = {
      brokers: BROKERS.split(","),
      topicPrefix: prefix,
      partitions: 1,
      busDeadlineMs: 30_000,
      bus: "kafka" as const,
      stage: "all" as const,
    };
    const log = { debug() {}, info() {}, warn() {}, error() {} };
    const b = await openBus(cfg, log);
    const half = Math.floor(trades.length / 2);
    const msg = (t: Trade) => ({ key: t.pair, value: encode({ type: "trade", data: t }) });
    await b.producer.send(b.topics.trades, trades.slice(0, half).map(msg));
    await b.producer.send(b.topics.trades, [{
      key: "BTC/USD",
      value: '{"v":1,"type":"trade","data":{"pair":"BTC/USD","price":-5}}',
    }]);
    // A `trades` message with one bad trade among good ones: the bad one alone is dead.
    const around = [trades[half], { pair: "BTC/USD", price: -5 }, trades[half + 1]];
    await b.producer.send(b.topics.trades, [{
      key: "BTC/USD",
      value: JSON.stringify({ v: 1, type: "trades", data: around }),
    }]);
    await b.producer.send(b.topics.trades, [{ key: "BTC/USD", value: "not json" }]);
    // The rest as the trades stage writes them, many trades a message.
    await b.producer.send(b.topics.trades, tradeMessages(trades.slice(half + 2)));
    await b.producer.send(b.topics.trades, [{
      key: "BTC/USD",
      value: encode({ type: "end", data: { pair: "BTC/USD" } }),
    }]);
    const stores = await openFeatureStores(`${dir}/bus`);
    const controller = new AbortController();
    const runs = await startConsumerStages(b, ["candles", "features"], {
      dataDir: `${dir}/bus`,
      windows: ["1m", "5m"],
      graceMs: 5000,
      stores,
      deadlineMs: 30_000,
      log,
      signal: controller.signal,
    });
    await waitUntil(() => lagsZero(prefix), 30_000, "the stages catch up");
    await Promise.all(runs.map((r) => r.stop()));
    stores.close();
    assertEquals(runs[0]?.stats.dlq, 3);
    const dlq = createKafka({ brokers: cfg.brokers }).consumer({ groupId: `${prefix}dlq-reader` });
    await dlq.connect();
    await dlq.subscribe({ topic: `${b.topics.trades}.dlq`, fromBeginning: true });
    const dead: Record<string, unknown>[] = [];
    await dlq.run({
      eachMessage: ({ message }) =>
        Promise.resolve(void dead.push(JSON.parse(message.value?.toString() ?? "{}"))),
    });
    await waitUntil(() => Promise.resolve(dead.length >= 3), 20_000, "DLQ messages");
    await dlq.disconnect();
    await b.close();
    assert(String(dead[0]?.error).includes("price"), JSON.stringify(dead[0]));
    assertEquals((dead[0]?.origin as { topic: string }).topic, b.topics.trades);
    assertEquals(dead[1]?.origin, {
      topic: b.topics.trades,
      partition: 0,
      offset: String(half + 1),
      index: 1,
    });
    assert(String(dead[1]?.error).includes("price"), JSON.stringify(dead[1]));
    assertEquals(dead[1]?.value, JSON.stringify(around[1]));
    assertEquals((dead[2]?.origin as { offset: string }).offset, String(half + 2));
    assertEquals(dead[2]?.value, "not json");
    assertEquals(await table(`${dir}/bus`, "1m"), want["1m"]);
    await Deno.remove(dir, { recursive: true });
  },
});

/** True once both consumer stages writing to `dataDir` have checkpointed a partition. */
function bothStagesCheckpointed(dataDir: string): () => Promise<boolean> {
  return () => {
    try {
      const names = [...Deno.readDirSync(`${dataDir}/checkpoints`)].map((e) => e.name);
      return Promise.resolve(
        ["candles-stage", "features-stage"].every((s) => names.some((n) => n.includes(s))),
      );
    } catch {
      return Promise.resolve(false);
    }
  };
}

async function writeLines(file: Deno.FsFile, trades: readonly Trade[]): Promise<void> {
  const bytes = new TextEncoder().encode(trades.map(tradeToJsonLine).join("\n") + "\n");
  for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
}

Deno.test({
  name: "kafka: stopping and restarting the broker mid-stream loses and doubles nothing",
  ignore: ignore || !("owned" in broker && broker.owned),
  async fn() {
    await withOwnBroker(TEST_PORT + 100, async ({ dir, port, data }) => {
      const trades = marketTrades(1500, 4);
      await writeTrades(`${dir}/t.jsonl`, trades);
      const want = await embedded(dir, "t.jsonl");
      const prefix = uniquePrefix("restart");
      // The trades come through a pipe the test feeds, so the stream is still open while the
      // broker is away, however fast the stages are.
      const fifo = await new Deno.Command("mkfifo", { args: [`${dir}/live.jsonl`] }).output();
      assert(fifo.success, "mkfifo");
      const result = ok(
        runPipeline("backfill", [
          "--file",
          "live.jsonl",
          "--format",
          "trades-jsonl",
          "--windows",
          "1m,5m",
          "--data-dir",
          "bus",
          ...bus(prefix, `127.0.0.1:${port}`),
        ], dir),
        "backfill through a broker restart",
      );
      const pipe = await Deno.open(`${dir}/live.jsonl`, { write: true });
      const third = Math.floor(trades.length / 3);
      await writeLines(pipe, trades.slice(0, third));
      await waitUntil(bothStagesCheckpointed(`${dir}/bus`), 60_000, "both stages checkpoint");
      const down = kafkaScript("down", port, data);
      assert(down.ok, down.output);
      // Read by the source while the broker is away, which stays away longer than kafkajs's own
      // retries of a send last (about 25 s), and well within the 60 s deadline.
      const middle = writeLines(pipe, trades.slice(third, 2 * third));
      await new Promise((resolve) => setTimeout(resolve, 32_000));
      const again = kafkaScript("up", port, data);
      assert(again.ok, again.output);
      await middle;
      await writeLines(pipe, trades.slice(2 * third));
      pipe.close();
      const log = await result;
      assert(/ECONNREFUSED/.test(log), `the run met the outage:\n${log}`);
      assert(
        /producing to \S+ failed .*; retrying in/.test(log),
        `the producer waited the outage out:\n${log}`,
      );
      await assertSameTables(`${dir}/bus`, want);
    });
  },
});

/** BTC/USD trades with ids 1, 2, ... */
function btcTrades(minutes: number): Trade[] {
  return burstyTrades(minutes, { seed: 7 }).map((t, j) => ({ ...t, trade_id: j + 1 }));
}

interface OneStage {
  run: StageRun;
  groupId: string;
  /** Trade ids in the order the stage wrote them. */
  written: number[];
  failure(): unknown;
  publish(trades: readonly Trade[]): Promise<void>;
  /** Waits until `n` ids are written or the stage failed. */
  until(n: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * One consumer stage over a fresh one-partition topic of trades, writing the trade ids it applies;
 * `beforeWrite` runs at the start of each write.
 */
async function oneStage(
  name: string,
  beforeWrite: (ids: number[], stage: OneStage) => Promise<void>,
  options: Partial<StageOptions> = {},
  brokers = BROKERS,
): Promise<OneStage> {
  const prefix = uniquePrefix(name);
  const kafka = createKafka({ brokers: brokers.split(",") });
  const admin = kafka.admin();
  await admin.connect();
  const topic = `${prefix}trades`;
  await ensureTopics(admin, [topic], 1);
  const producer = await BusProducer.connect(kafka);
  const dir = await Deno.makeTempDir();
  const written: number[] = [];
  let failure: unknown;
  const spec: StageSpec<Record<string, never>> = {
    name,
    groupId: `${prefix}${name}-stage`,
    topic,
    kind: "trade",
    initial: () => ({}),
    pipeline: (slices, state, saved) =>
      slices.pipeTo(
        new WritableStream({
          async write(batch) {
            const ids = batch.trades.map((t) => t.trade_id ?? 0);
            await beforeWrite(ids, stage);
            written.push(...ids);
            await saved(batch, state);
          },
        }),
      ),
  };
  const stage: OneStage = {
    run: undefined as unknown as StageRun,
    groupId: spec.groupId,
    written,
    failure: () => failure,
    publish: (trades) =>
      producer.send(topic, trades.map((t) => ({ key: t.pair, value: encode({ type: "trade", data: t }) }))),
    until: (n) =>
      waitUntil(() => Promise.resolve(written.length >= n || failure !== undefined), 90_000, `${n} ids`),
    async close() {
      await stage.run.stop();
      await producer.disconnect();
      await admin.disconnect();
      await Deno.remove(dir, { recursive: true });
    },
  };
  stage.run = await runStage(kafka, spec, { dataDir: dir, dlq: producer, deadlineMs: 30_000, ...options });
  stage.run.done.catch((e) => failure = e);
  return stage;
}

Deno.test({
  name: "kafka: a stage whose membership the broker forgets mid-write rejoins and applies every trade once",
  ignore: ignore || !("owned" in broker && broker.owned),
  async fn() {
    const trades = btcTrades(20);
    const half = Math.floor(trades.length / 2);
    let forgotten = false;
    const stage = await oneStage("rejoin", async (ids, stage) => {
      if (forgotten || ids.length === 0) return;
      forgotten = true;
      // As when the session expires during a long write, or across a broker restart.
      await removeGroupMembers(TEST_PORT, stage.groupId);
      await stage.publish(trades.slice(half));
    });
    await stage.publish(trades.slice(0, half));
    await stage.until(trades.length);
    await stage.close();
    assertEquals(stage.failure(), undefined);
    assert(forgotten, "the broker forgot the member");
    assertEquals(stage.written, trades.map((t) => t.trade_id));
    assert(stage.run.stats.rejoins >= 1, JSON.stringify(stage.run.stats));
  },
});

Deno.test({
  name: "kafka: a stage heartbeats through a write that outlasts its session, so it keeps its membership",
  ignore,
  async fn() {
    const timeouts = { sessionMs: 6000, heartbeatMs: 1000 };
    const trades = btcTrades(5);
    let slow = true;
    const stage = await oneStage("slow", async () => {
      if (!slow) return;
      slow = false;
      await new Promise((r) => setTimeout(r, 2.5 * timeouts.sessionMs));
    }, { timeouts });
    await stage.publish(trades);
    await stage.until(trades.length);
    await stage.close();
    assertEquals(stage.failure(), undefined);
    assertEquals(stage.written, trades.map((t) => t.trade_id));
    assertEquals(stage.run.stats.rejoins, 0);
  },
});

Deno.test({
  name: "kafka: a running stage whose broker stays away past the deadline stops and says why",
  ignore: ignore || !("owned" in broker && broker.owned),
  async fn() {
    await withOwnBroker(TEST_PORT + 200, async ({ port, data }) => {
      const trades = btcTrades(2);
      const stage = await oneStage(
        "gone",
        () => Promise.resolve(),
        { deadlineMs: 3000 },
        `127.0.0.1:${port}`,
      );
      await stage.publish(trades);
      await stage.until(trades.length);
      const down = kafkaScript("down", port, data);
      assert(down.ok, down.output);
      await waitUntil(() => Promise.resolve(stage.failure() !== undefined), 120_000, "the stage gives up");
      await stage.close();
      assert(/gone stage stopped: not back in 3 s/.test(String(stage.failure())), String(stage.failure()));
      assertEquals(stage.written, trades.map((t) => t.trade_id));
    });
  },
});

/** True once `groupId` has committed every message of `topic`. */
function committed(groupId: string, topic: string, brokers: string): () => Promise<boolean> {
  return async () => {
    const kafka = createKafka({ brokers: [brokers] });
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await lag(admin, groupId, topic) === 0;
    } finally {
      await admin.disconnect();
    }
  };
}

/** Pauses (SIGSTOP) or resumes (SIGCONT) the broker kafka.sh started with `data`. */
async function freezeBroker(data: string, signal: "SIGSTOP" | "SIGCONT"): Promise<void> {
  const pid = Number(await Deno.readTextFile(`${data}/broker.pid`));
  Deno.kill(pid, signal);
}

/**
 * `fn` with a broker of its own on `port` (its data in `dir`/broker), for tests that stop, restart
 * or freeze it; stopped (and resumed first, if frozen) whatever `fn` does.
 */
async function withOwnBroker(
  port: number,
  fn: (o: { dir: string; port: number; data: string }) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const data = `${dir}/broker`;
  const up = kafkaScript("up", port, data);
  assert(up.ok, up.output);
  try {
    await fn({ dir, port, data });
  } finally {
    await freezeBroker(data, "SIGCONT").catch(() => {});
    kafkaScript("down", port, data);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name:
    "kafka: a stage stopped while its broker does not answer stops within seconds, every trade applied once",
  ignore: ignore || !("owned" in broker && broker.owned),
  // kafkajs goes on waiting for the fetch the stop no longer waits for, on timers of its own.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withOwnBroker(TEST_PORT + 200, async ({ port, data }) => {
      const trades = btcTrades(2);
      const stage = await oneStage(
        "frozen",
        () => Promise.resolve(),
        { deadlineMs: 120_000 },
        `127.0.0.1:${port}`,
      );
      await stage.publish(trades);
      await stage.until(trades.length);
      const topic = stage.groupId.replace(/frozen-stage$/, "trades");
      await waitUntil(committed(stage.groupId, topic, `127.0.0.1:${port}`), 30_000, "the commit");
      // A broker that holds its connections open and answers nothing, as behind a network
      // partition: the fetch in flight waits for kafkajs's 30 s request timeout.
      await freezeBroker(data, "SIGSTOP");
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const t0 = Date.now();
      await stage.run.stop();
      const took = Date.now() - t0;
      assert(took < 13_000, `the stop took ${took} ms`);
      assertEquals(stage.failure(), undefined);
      assertEquals(stage.written, trades.map((t) => t.trade_id));
      await freezeBroker(data, "SIGCONT");
      await stage.close();
    });
  },
});

Deno.test({
  name: "kafka: a bus status read against a broker that does not answer gives up at its deadline",
  ignore: ignore || !("owned" in broker && broker.owned),
  // The read's client goes on waiting for its request inside kafkajs, on timers of its own.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withOwnBroker(TEST_PORT + 200, async ({ dir, port, data }) => {
      const options = {
        brokers: [`127.0.0.1:${port}`],
        topicPrefix: "x.",
        dataDir: dir,
        deadlineMs: 2000,
        log: silent,
      };
      assertEquals(await readStageStatus(options), []);
      await freezeBroker(data, "SIGSTOP");
      const t0 = Date.now();
      const error = await readStageStatus(options).then(() => undefined, (e) => e as Error);
      const took = Date.now() - t0;
      assert(/Kafka unreachable for 2 s|no answer from Kafka within 2 s/.test(String(error)), String(error));
      assert(took < 4000, `the read took ${took} ms`);
    });
  },
});

Deno.test({
  name: "kafka: trades from the simulator's REST through all three stages equal the embedded pipeline",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const trades = marketTrades(200, 5).filter((t) => t.pair === "BTC/USD" || t.pair === "ETH/USD");
    await writeTrades(`${dir}/t.jsonl`, trades);
    const want = await embedded(dir, "t.jsonl");
    const prefix = uniquePrefix("sim");
    await withSim(trades, { speed: 1e9, throttleEvery: 5 }, async (sim, book) => {
      await ok(
        runPipeline("backfill", [
          "--rest-url",
          sim.restUrl,
          "--rest-rate",
          "50",
          "--pairs",
          "BTC/USD,ETH/USD",
          "--from",
          new Date(book.firstTs).toISOString(),
          "--to",
          new Date(book.lastTs + 1).toISOString(),
          "--windows",
          "1m,5m",
          "--data-dir",
          "bus",
          ...bus(prefix),
        ], dir),
        "REST backfill over kafka",
      );
    });
    for (const w of ["1m", "5m"] as const) {
      const lines = (await table(`${dir}/bus`, w)).split("\n");
      const wanted = want[w].split("\n").filter((l) => l.startsWith("pair") || /^(BTC|ETH)\/USD,/.test(l));
      assertEquals(lines, wanted, w);
    }
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("kafka: an unreachable cluster makes a stage exit non-zero once the deadline passes", async () => {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = listener.addr.port;
  listener.close();
  const dir = await Deno.makeTempDir();
  const out = await runPipeline("ingest", [
    "--stage",
    "candles",
    "--bus-deadline",
    "2",
    ...bus("x.", `127.0.0.1:${port}`),
  ], dir).output();
  const err = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 1, err);
  assert(/error: .*Kafka unreachable for 2 s/.test(err), err);
  assert(err.includes(`at 127.0.0.1:${port}`), `the error names the brokers it tried:\n${err}`);
  await Deno.remove(dir, { recursive: true });
});
