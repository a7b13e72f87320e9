/**
 * The predict stage over a real Apache Kafka broker (tests/kafka_harness.ts): on the same trades and
 * the same promoted models, `ingest --bus kafka --stage predict` makes the prediction tables the
 * embedded pipeline makes (cut → dedupe → candles → indicators → predict → persist, as `ingest` and
 * `start` compose it, with the rows after the same time counted as live), through a restart, and
 * predicts nothing again for feature rows delivered twice.
 */
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { burstyTrades, runPipeline } from "../helpers.ts";
import { testBroker, uniquePrefix } from "../kafka_harness.ts";
import { lag } from "../../src/bus/bus.ts";
import { decode, DecodeError, encode } from "../../src/bus/codec.ts";
import { createKafka } from "../../src/bus/kafka.ts";
import { BusProducer } from "../../src/bus/producer.ts";
import { backfillConfig, ConfigError, ingestConfig } from "../../src/config.ts";
import type { Window } from "../../src/domain/candle.ts";
import { INDICATOR_COLUMNS } from "../../src/domain/feature_row.ts";
import type { Prediction } from "../../src/domain/prediction.ts";
import { type Trade, tradeToJsonLine } from "../../src/domain/trade.ts";
import { livePredictions } from "../../src/serve/live_setup.ts";
import { candles, cut, dedupe, indicators, persist, predict } from "../../src/stages/mod.ts";
import { CSV_HEADER, rowToCsv } from "../../src/stores/feature_export.ts";
import { openFeatureStores } from "../../src/stores/feature_stores.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { KvFeatureStore } from "../../src/stores/online_kv.ts";
import { KvPredictionStore } from "../../src/stores/prediction_store.ts";
import { LiveRows } from "../../src/system/live_rows.ts";
import { initialFeatureState } from "../../src/transforms/features.ts";

const broker = await testBroker();
const ignore = "skip" in broker;
const BROKERS = "brokers" in broker ? broker.brokers : "";
const PAIRS = ["BTC/USD", "ETH/USD"];
const WINDOWS: Window[] = ["1m", "5m"];
const START = Date.UTC(2024, 0, 1);
const MINUTES = 600;
/** Rows closing after this are live (predicted); the models are trained on the trades before it. */
const FROM = START + 400 * 60_000;

function marketTrades(): Trade[] {
  const all = PAIRS.flatMap((pair, i) =>
    burstyTrades(MINUTES, { pair, start: START, seed: 20 + i }).map((t, j) => ({ ...t, trade_id: j + 1 }))
  );
  return all.sort((a, b) => a.ts - b.ts || a.pair.localeCompare(b.pair));
}

async function writeTrades(path: string, trades: readonly Trade[]): Promise<void> {
  await Deno.writeTextFile(path, trades.map(tradeToJsonLine).join("\n") + "\n");
}

/** The process's log (stderr), once it has exited 0; `stdout` gets what it printed. */
async function ok(child: Deno.ChildProcess, what: string, stdout: string[] = []): Promise<string> {
  const out = await child.output();
  const log = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, `${what}:\n${log}`);
  stdout.push(new TextDecoder().decode(out.stdout));
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

/** A promoted model per pair, trained on `dataDir`'s rows, in `modelsDir`. */
async function trainModels(dir: string, dataDir: string, modelsDir: string): Promise<void> {
  for (const pair of PAIRS) {
    const common = ["--data-dir", dataDir, "--models-dir", modelsDir];
    const out: string[] = [];
    await ok(
      runPipeline("train", [
        "--pair",
        pair,
        "--window",
        "1m",
        "--horizon",
        "1",
        "--model",
        "ridge",
        "--folds",
        "2",
        "--budget",
        "2",
        "--json",
        ...common,
      ], dir),
      `train ${pair}`,
      out,
    );
    const report = JSON.parse(out.join("")) as { name: string; promoted: boolean };
    // Whether it beats naive on these synthetic trades does not matter here: it must serve.
    if (!report.promoted) {
      await ok(
        runPipeline("models", ["promote", "--name", report.name, "--version", "v0001", ...common], dir),
        `promote ${report.name}`,
      );
    }
  }
}

/** The embedded pipeline as `ingest` and `start` compose it, the rows closing after FROM live. */
async function embedded(dataDir: string, modelsDir: string, trades: readonly Trade[]): Promise<void> {
  const stores = await openFeatureStores(dataDir);
  const models = new AbortController();
  try {
    const cfg = { pairs: PAIRS, windows: WINDOWS, predictWindow: "1m" as const, horizon: 1, modelsDir };
    const live = await livePredictions(cfg, stores, models.signal);
    const state = initialFeatureState({ windows: WINDOWS, graceMs: 5000 });
    // Batches as small as a live market's (the file would otherwise come in 1,000 trades at a time).
    await ReadableStream.from(trades).pipeThrough(cut({ size: 100 })).pipeThrough(dedupe())
      .pipeThrough(candles(state.candles)).pipeThrough(indicators(state.indicators))
      .pipeThrough(predict(live, new LiveRows(() => true, () => FROM)))
      .pipeTo(persist({ stores, predictions: live }));
    assertEquals(live.failures, 0);
  } finally {
    models.abort();
    await new Promise((r) => setTimeout(r, 100));
    stores.close();
  }
}

interface Tables {
  features: string;
  /** 1m rows closing after FROM. */
  live: number;
  /** The offline store's predictions table. */
  offline: Prediction[];
  /** The online store's predictions and live errors. */
  online: unknown[];
}

async function tables(dataDir: string): Promise<Tables> {
  const offline = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`, { readOnly: true });
  const lines = [CSV_HEADER];
  const preds: Prediction[] = [];
  let live = 0;
  try {
    for (const w of WINDOWS) {
      for (const pair of PAIRS) {
        const rows = await offline.range(pair, w);
        lines.push(...rows.map(rowToCsv));
        if (w === "1m") live += rows.filter((r) => r.window_end > FROM).length;
      }
    }
    for (const pair of PAIRS) preds.push(...(await offline.predictions(pair, "1m", 100_000)));
  } finally {
    offline.close();
  }
  const online = await KvFeatureStore.open(`${dataDir}/online.kv`);
  const kv = new KvPredictionStore(online.kv);
  const got: unknown[] = [];
  try {
    for (const pair of PAIRS) got.push(await kv.recent(pair, "1m", 100_000), await kv.liveErrors(pair, "1m"));
  } finally {
    online.close();
  }
  return { features: lines.join("\n"), live, offline: preds, online: got };
}

function hasCheckpoint(dataDir: string): () => Promise<boolean> {
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

Deno.test({
  name:
    "kafka: --stage predict makes the embedded pipeline's prediction tables, through a restart and redelivered rows",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const trades = marketTrades();
      await writeTrades(`${dir}/t.jsonl`, trades);
      await writeTrades(`${dir}/train.jsonl`, trades.filter((t) => t.ts < FROM));
      await ok(
        runPipeline("backfill", ["--file", "train.jsonl", "--data-dir", "train"], dir),
        "training rows",
      );
      await trainModels(dir, "train", `${dir}/models`);

      await embedded(`${dir}/embedded`, `${dir}/models`, trades);
      const want = await tables(`${dir}/embedded`);
      const predicted = want.offline.length;
      // Every 1m row of both pairs closing after FROM, each from the promoted model.
      assert(want.live > 300, `${want.live} live rows`);
      assertEquals(predicted, want.live);
      assert(want.offline.every((p) => p.model.version === "v0001"), JSON.stringify(want.offline[0]));
      assertEquals(want.offline.filter((p) => p.realised_close === null).length, PAIRS.length);

      const prefix = uniquePrefix("predict");
      const bus = ["--bus", "kafka", "--brokers", BROKERS, "--topic-prefix", prefix];
      const predictStage = () =>
        runPipeline("ingest", [
          "--stage",
          "predict",
          "--pairs",
          PAIRS.join(","),
          "--predict-from",
          new Date(FROM).toISOString(),
          "--models-dir",
          `${dir}/models`,
          "--data-dir",
          "predict",
          ...bus,
        ], dir);
      const first = predictStage();
      const features = runPipeline("backfill", ["--file", "t.jsonl", "--data-dir", "features", ...bus], dir);
      // A restart: the second process continues from the first one's checkpoints.
      await waitUntil(hasCheckpoint(`${dir}/predict`), 120_000, "the predict stage checkpoints");
      first.kill("SIGINT");
      const firstLog = await ok(first, "predict stage, first run");
      const second = predictStage();
      await ok(features, "trades, candles and features over kafka");

      const kafka = createKafka({ brokers: BROKERS.split(",") });
      const admin = kafka.admin();
      await admin.connect();
      const producer = await BusProducer.connect(kafka);
      try {
        const caughtUp = async () => (await lag(admin, `${prefix}predict-stage`, `${prefix}features`)) === 0;
        await waitUntil(caughtUp, 120_000, "the predict stage catches up");
        // The features stage sending rows again (as after a crash): dropped, not predicted twice.
        const store = await DuckDbFeatureStore.open(`${dir}/embedded/offline.duckdb`, { readOnly: true });
        const again = (await store.range("BTC/USD", "1m")).slice(-30);
        store.close();
        await producer.send(
          `${prefix}features`,
          again.map((r) => ({ key: r.pair, value: encode({ type: "feature", data: r }) })),
        );
        await waitUntil(caughtUp, 60_000, "the predict stage reads the redelivered rows");
        second.kill("SIGINT");
        const secondLog = await ok(second, "predict stage, second run");
        assert(/predict stage: \d+ predictions made/.test(firstLog), firstLog);
        assert(secondLog.includes('\\"dlq\\":0'), secondLog);

        const got = await tables(`${dir}/predict`);
        assertEquals(got.features, want.features, "feature tables");
        assertEquals(got.offline, want.offline, "offline predictions");
        assertEquals(got.online, want.online, "online predictions and live errors");

        // The predictions topic: each prediction once, as made (the realised close comes later, in the stores).
        const published = await readTopic(kafka, `${prefix}predictions`, `${prefix}reader`, predicted);
        const key = (p: Prediction) => `${p.pair} ${p.made_at}`;
        assertEquals(
          published.map((p) => ({ ...p, realised_close: null })).sort((a, b) => key(a).localeCompare(key(b))),
          (await onlineAsMade(`${dir}/embedded`)).sort((a, b) => key(a).localeCompare(key(b))),
        );
      } finally {
        await producer.disconnect();
        await admin.disconnect();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** The embedded run's online predictions as they were made, before their closes were realised. */
async function onlineAsMade(dataDir: string): Promise<Prediction[]> {
  const online = await KvFeatureStore.open(`${dataDir}/online.kv`);
  try {
    const kv = new KvPredictionStore(online.kv);
    const all = (await Promise.all(PAIRS.map((p) => kv.recent(p, "1m", 100_000)))).flat();
    return all.map((p) => ({ ...p, realised_close: null }));
  } finally {
    online.close();
  }
}

/** Every message of `topic`, once `n` have arrived and a second has passed without more. */
async function readTopic(
  kafka: ReturnType<typeof createKafka>,
  topic: string,
  groupId: string,
  n: number,
): Promise<Prediction[]> {
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  const got: Prediction[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        got.push(JSON.parse(message.value?.toString() ?? "{}").data as Prediction);
        return Promise.resolve();
      },
    });
    await waitUntil(() => Promise.resolve(got.length >= n), 60_000, `${n} messages on ${topic}`);
    await new Promise((r) => setTimeout(r, 1000));
    return got;
  } finally {
    await consumer.disconnect();
  }
}

Deno.test("predict stage flags: --predict-from needs --stage predict, and a backfill cannot run the stage", () => {
  const bus = ["--bus", "kafka", "--stage", "predict"];
  assertEquals(ingestConfig([...bus, "--predict-from", "2024-01-01T06:40:00Z"]).predictFrom, FROM);
  assertThrows(() => ingestConfig(["--predict-from", "2024-01-01"]), ConfigError, "--stage predict");
  assertThrows(() => backfillConfig([...bus, "--file", "t.jsonl"]), ConfigError, "deno task ingest");
});

Deno.test("a feature message is validated like a candle, and its indicators as numbers or null", () => {
  const row = { pair: "BTC/USD", window: "1m", window_start: START, window_end: START + 60_000 };
  const candle = { ...row, open: 1, high: 2, low: 1, close: 2, volume: 1, vwap: 1.5, trades: 3 };
  const value = (extra: Record<string, unknown>) =>
    JSON.stringify({ v: 1, type: "feature", data: { ...candle, buy_volume: 1, sell_volume: 0, ...extra } });
  const indicators = Object.fromEntries(INDICATOR_COLUMNS.map((c, i) => [c, i % 2 ? null : i]));
  const full = { ...candle, buy_volume: 1, sell_volume: 0, ...indicators, warm: false };
  assertEquals<unknown>(decode(value({ ...indicators, warm: false }), "feature"), {
    type: "feature",
    data: full,
  });
  assertThrows(
    () => decode(value({ ...indicators, rsi_14: "50", warm: true }), "feature"),
    DecodeError,
    'invalid feature: rsi_14 is invalid: "50"',
  );
  assertThrows(
    () => decode(value({ ...indicators, warm: 1 }), "feature"),
    DecodeError,
    "warm is invalid",
  );
  assertThrows(() => decode(value({}), "feature"), DecodeError, "is invalid");
  assertThrows(() => decode(value({ rsi_14: 50 }), "candle"), DecodeError, "expected a candle");
});
