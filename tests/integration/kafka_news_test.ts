/**
 * `news --bus kafka` over a real Apache Kafka broker (tests/kafka_harness.ts): the headlines, signals
 * and store stages, each its own process, make the tables the embedded `news --file` makes on the
 * same headlines (the real February 2026 CryptoPanic scrape in ../shared/data, else a generated
 * file), with the signals stage killed and restarted mid-stream, the file published again (its
 * repeats dropped by id) and malformed messages sent to the DLQs; and `--stage all` in one process.
 */
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { hasSharedData, runPipeline, sharedFile } from "../helpers.ts";
import { testBroker, uniquePrefix } from "../kafka_harness.ts";
import { teacherLines, writeTeacherFile } from "../news_fixtures.ts";
import { lag } from "../../src/bus/bus.ts";
import { decode, DecodeError, encode } from "../../src/bus/codec.ts";
import { createKafka, ensureTopics } from "../../src/bus/kafka.ts";
import { classifyHeadlines, dedupeNews, NEWS_GROUPS } from "../../src/bus/news_stages.ts";
import { BusProducer } from "../../src/bus/producer.ts";
import { ConfigError, newsConfig } from "../../src/config.ts";
import type { NewsItem, NewsSignal } from "../../src/domain/news.ts";
import type { NewsClassifier } from "../../src/domain/ports.ts";
import { DEFAULT_DISTILL, distill } from "../../src/news_model/distill.ts";
import { readTeacherData } from "../../src/news_model/teacher_data.ts";
import { newsFile } from "../../src/sources/files/news_file.ts";
import { emptyBatch } from "../../src/stages/batch.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { KvFeatureStore, onlineKvPath } from "../../src/stores/online_kv.ts";

const broker = await testBroker();
const ignore = "skip" in broker;
const BROKERS = "brokers" in broker ? broker.brokers : "";
const SCRAPE = "news/cryptopanic_scrape_2026-02_mmarqx.json.gz";

/** The headline file: the real scrape when ../shared/data is there, else a generated JSONL file. */
async function headlineFile(dir: string): Promise<string> {
  if (hasSharedData()) return sharedFile(SCRAPE);
  console.warn(`kafka_news_test: ${SCRAPE} is absent; using generated headlines instead`);
  const start = Date.UTC(2026, 1, 1);
  const items = teacherLines(900, 11).map((line, i) => ({
    id: `g${i}`,
    title: JSON.parse(line).input as string,
    published_at: start + i * 60_000,
    source: "generated",
    currencies: i % 3 === 0 ? ["BTC"] : [],
  }));
  const path = `${dir}/generated_news.jsonl`;
  await Deno.writeTextFile(path, items.map((i) => JSON.stringify(i)).join("\n") + "\n");
  return path;
}

/** A small distilled classifier, so nothing is downloaded. */
async function tinyModel(dir: string): Promise<string> {
  const teacher = await writeTeacherFile(dir);
  const report = await distill(await readTeacherData([teacher]), `${dir}/model`, {
    ...DEFAULT_DISTILL,
    epochs: 150,
  });
  assert(report.kept);
  return `${dir}/model`;
}

/** The process's log (stderr), once it has exited 0. */
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

function hasCheckpoint(dataDir: string): () => Promise<boolean> {
  return () => {
    try {
      return Promise.resolve(
        [...Deno.readDirSync(`${dataDir}/checkpoints`)].some((e) => e.name.includes(NEWS_GROUPS.signals)),
      );
    } catch {
      return Promise.resolve(false);
    }
  };
}

interface Tables {
  /** The offline store's news_signals table, oldest first. */
  offline: NewsSignal[];
  /** The online store's signals of every coin in the table. */
  online: Record<string, NewsSignal[]>;
}

async function tables(dataDir: string): Promise<Tables> {
  const store = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`, { readOnly: true });
  const offline: NewsSignal[] = [];
  try {
    for await (const chunk of (await store.signalRows()).chunks) offline.push(...chunk);
  } finally {
    store.close();
  }
  const kv = await KvFeatureStore.open(onlineKvPath(dataDir));
  const online: Record<string, NewsSignal[]> = {};
  try {
    for (const coin of [...new Set(offline.map((s) => s.coin))].sort()) online[coin] = await kv.signals(coin);
  } finally {
    kv.close();
  }
  return { offline, online };
}

/** Every message of `topic` (JSON values), once `n` have arrived and a second has passed without more. */
async function readTopic(topic: string, n: number): Promise<Record<string, unknown>[]> {
  const consumer = createKafka({ brokers: BROKERS.split(",") }).consumer({ groupId: `${topic}-reader` });
  await consumer.connect();
  const got: Record<string, unknown>[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) =>
        Promise.resolve(void got.push(JSON.parse(message.value?.toString() ?? "{}"))),
    });
    await waitUntil(() => Promise.resolve(got.length >= n), 60_000, `${n} messages on ${topic}`);
    await new Promise((r) => setTimeout(r, 1000));
    return got;
  } finally {
    await consumer.disconnect();
  }
}

const count = (log: string, pattern: RegExp): number => Number(log.match(pattern)?.[1] ?? NaN);

Deno.test({
  name: "kafka: news over the bus (headlines → signals → store) makes the embedded news tables",
  ignore,
  async fn(t) {
    const dir = await Deno.makeTempDir();
    try {
      const file = await headlineFile(dir);
      const items = await Array.fromAsync((await newsFile(file)).stream);
      const half = items.slice(0, Math.floor(items.length / 2));
      await Deno.writeTextFile(`${dir}/half.jsonl`, half.map((i) => JSON.stringify(i)).join("\n") + "\n");
      const model = await tinyModel(dir);
      await ok(
        runPipeline("news", ["--file", file, "--news-model", model, "--data-dir", "embedded"], dir),
        "embedded news --file",
      );
      const want = await tables(`${dir}/embedded`);
      assert(
        want.offline.length >= items.length,
        `${want.offline.length} signals of ${items.length} headlines`,
      );

      await t.step(
        "separate stage processes, the signals stage killed mid-stream and restarted",
        async () => {
          const prefix = uniquePrefix("news");
          const bus = ["--bus", "kafka", "--brokers", BROKERS, "--topic-prefix", prefix];
          const kafka = createKafka({ brokers: BROKERS.split(",") });
          const admin = kafka.admin();
          await admin.connect();
          const producer = await BusProducer.connect(kafka);
          try {
            // Malformed messages first: each goes to its topic's DLQ, and the stages go on.
            await ensureTopics(admin, [`${prefix}news`, `${prefix}news_signals`], 3);
            await producer.send(`${prefix}news`, [{
              key: "bad",
              value: JSON.stringify({ v: 1, type: "news", data: { id: "bad", title: " ", published_at: 1 } }),
            }]);
            await producer.send(`${prefix}news_signals`, [{ key: "bad", value: "not json" }]);

            const signals = () =>
              runPipeline("news", [
                "--stage",
                "signals",
                "--news-model",
                model,
                "--data-dir",
                "signals",
                ...bus,
              ], dir);
            const headlines = (f: string) =>
              ok(
                runPipeline(
                  "news",
                  ["--stage", "headlines", "--file", f, "--data-dir", "headlines", ...bus],
                  dir,
                ),
                f,
              );
            const store = runPipeline("news", ["--stage", "store", "--data-dir", "store", ...bus], dir);
            const first = signals();
            assert((await headlines("half.jsonl")).includes(`done: ${half.length} headlines published`));
            await waitUntil(hasCheckpoint(`${dir}/signals`), 60_000, "the signals stage checkpoints");
            first.kill("SIGKILL");
            await first.output();
            // The whole file, its first half again: those repeats are dropped by id.
            await headlines(file);
            const second = signals();

            const caughtUp = async () =>
              (await lag(admin, `${prefix}${NEWS_GROUPS.signals}`, `${prefix}news`)) === 0 &&
              (await lag(admin, `${prefix}${NEWS_GROUPS.store}`, `${prefix}news_signals`)) === 0;
            await waitUntil(caughtUp, 120_000, "the stages catch up");
            await new Promise((r) => setTimeout(r, 1000));
            await waitUntil(caughtUp, 30_000, "the stages stay caught up");
            second.kill("SIGINT");
            store.kill("SIGINT");
            const [secondLog, storeLog] = await Promise.all([
              ok(second, "signals, again"),
              ok(store, "store"),
            ]);
            assertEquals(count(secondLog, /(\d+) seen before and dropped/), half.length, secondLog);
            assert(count(storeLog, /store stage: (\d+) signals written/) >= want.offline.length, storeLog);

            const got = await tables(`${dir}/store`);
            assertEquals(got.offline, want.offline, "offline news_signals table");
            assertEquals(got.online, want.online, "online signals");

            const [deadNews] = await readTopic(`${prefix}news.dlq`, 1);
            assert(
              String(deadNews?.error).includes("invalid news: title is empty"),
              JSON.stringify(deadNews),
            );
            assertEquals((deadNews?.origin as { topic: string }).topic, `${prefix}news`);
            const [deadSignal] = await readTopic(`${prefix}news_signals.dlq`, 1);
            assertEquals([deadSignal?.error, deadSignal?.value], ["value is not JSON", "not json"]);
          } finally {
            await producer.disconnect();
            await admin.disconnect();
          }
        },
      );

      await t.step("--stage all in one process", async () => {
        const prefix = uniquePrefix("newsall");
        const log = await ok(
          runPipeline("news", [
            "--file",
            file,
            "--news-model",
            model,
            "--data-dir",
            "all",
            "--bus",
            "kafka",
            "--brokers",
            BROKERS,
            "--topic-prefix",
            prefix,
          ], dir),
          "news --bus kafka",
        );
        assertEquals(count(log, /(\d+) headlines classified/), items.length, log);
        const got = await tables(`${dir}/all`);
        assertEquals(got.offline, want.offline, "offline news_signals table");
        assertEquals(got.online, want.online, "online signals");
      });

      await t.step("a file's posts a live poll recorded are known from that poll, as embedded", async () => {
        // Fetched 90 s after publication, years before this run classifies them.
        const polled = items.slice(0, 40).map((i) => ({ ...i, seen_at: i.published_at + 90_000 }));
        await Deno.writeTextFile(
          `${dir}/polled.jsonl`,
          polled.map((i) => JSON.stringify(i)).join("\n") + "\n",
        );
        await ok(
          runPipeline(
            "news",
            ["--file", "polled.jsonl", "--news-model", model, "--data-dir", "polled-e"],
            dir,
          ),
          "embedded news --file polled.jsonl",
        );
        const embedded = await tables(`${dir}/polled-e`);
        assertEquals(
          new Set(embedded.offline.map((s) => s.known_at - s.published_at)),
          new Set([90_000]),
          "known at the recorded fetch",
        );
        const prefix = uniquePrefix("newspolled");
        const bus = ["--bus", "kafka", "--brokers", BROKERS, "--topic-prefix", prefix];
        await ok(
          runPipeline("news", [
            "--file",
            "polled.jsonl",
            "--news-model",
            model,
            "--data-dir",
            "polled-b",
            ...bus,
          ], dir),
          "news --bus kafka --file polled.jsonl",
        );
        // Each partition's headlines are classified in batches of their own, which moves scores in
        // the seventh digit: when each signal is known is what this compares.
        const knownAt = (t: Tables) => ({
          offline: t.offline.map((s) => `${s.news_id} ${s.coin} ${s.known_at}`).sort(),
          online: Object.values(t.online).flat().map((s) => `${s.news_id} ${s.coin} ${s.known_at}`).sort(),
        });
        assertEquals(knownAt(await tables(`${dir}/polled-b`)), knownAt(embedded));
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("news bus flags: the consumer stages need no source, and --stage needs --bus kafka", () => {
  const noToken = () => undefined;
  const bus = ["--bus", "kafka", "--stage"];
  assertEquals(newsConfig([...bus, "signals"], noToken).stage, "signals");
  assertEquals(newsConfig([...bus, "store"], noToken).bus, "kafka");
  assertThrows(() => newsConfig([...bus, "headlines"], noToken), ConfigError, "set CRYPTOPANIC_TOKEN");
  assertThrows(() => newsConfig(["--stage", "store"], noToken), ConfigError, "--stage needs --bus kafka");
  assertThrows(
    () => newsConfig([...bus, "candles"], noToken),
    ConfigError,
    "--stage: 'candles' is not one of headlines, signals, store, all",
  );
});

const ITEM: NewsItem = {
  id: "n1",
  title: "Bitcoin rallies",
  published_at: Date.UTC(2026, 1, 1),
  source: "x.com",
  currencies: ["BTC"],
};
const SIGNAL: NewsSignal = {
  news_id: "n1",
  coin: "BTC",
  signal: 1,
  score: 0.9,
  model: "m",
  published_at: ITEM.published_at,
  known_at: ITEM.published_at,
};

Deno.test("headline and signal messages are validated like the files they come from", () => {
  assertEquals(decode(encode({ type: "news", data: ITEM }), "news"), { type: "news", data: ITEM });
  assertEquals(decode(encode({ type: "news_signal", data: SIGNAL }), "news_signal"), {
    type: "news_signal",
    data: SIGNAL,
  });
  const bad = (type: string, data: unknown) => JSON.stringify({ v: 1, type, data });
  assertThrows(
    () => decode(bad("news", { ...ITEM, published_at: "soon" }), "news"),
    DecodeError,
    "invalid news",
  );
  assertThrows(
    () => decode(bad("news_signal", { ...SIGNAL, signal: 2 }), "news_signal"),
    DecodeError,
    "invalid news_signal: signal is invalid: 2",
  );
  assertThrows(
    () => decode(bad("news_signal", { ...SIGNAL, score: null }), "news_signal"),
    DecodeError,
    "score is invalid",
  );
  assertThrows(
    () => decode(bad("news", ITEM), "news_signal"),
    DecodeError,
    'expected a news_signal message, got "news"',
  );
});

Deno.test("a file's headline crosses the bus marked recorded, and the signals stage dates only live ones by the clock", async () => {
  const polled = { ...ITEM, seen_at: ITEM.published_at + 90_000 };
  assertEquals(decode(encode({ type: "news", data: polled, recorded: true }), "news"), {
    type: "news",
    data: polled,
    recorded: true,
  });
  assertEquals(decode(encode({ type: "news", data: polled }), "news"), { type: "news", data: polled });
  const classifier: NewsClassifier = {
    name: "fixed",
    classify: (titles) => Promise.resolve(titles.map(() => ({ signal: 1 as const, score: 0.9 }))),
    dispose: () => Promise.resolve(),
  };
  const batch = {
    ...emptyBatch(),
    news: [polled, { ...polled, id: "n2" }],
    newsRecorded: new Set(["n1"]),
  };
  const before = Date.now();
  const [out] = await Array.fromAsync(
    ReadableStream.from([batch]).pipeThrough(classifyHeadlines(classifier, 8)),
  );
  const knownAt = Object.fromEntries(out!.signals!.map((s) => [s.news_id, s.known_at]));
  assertEquals(knownAt.n1, polled.seen_at);
  assert(knownAt.n2! >= before, `a live post is known once classified: ${knownAt.n2}`);
});

Deno.test("the signals stage drops a headline it has seen, remembering the latest ids only", async () => {
  const batch = (ids: string[]) => ({ ...emptyBatch(), news: ids.map((id) => ({ ...ITEM, id })) });
  const counts = { dropped: 0 };
  const out = await Array.fromAsync(
    ReadableStream.from([batch(["a", "b", "a"]), batch(["b", "c", "d"]), batch(["a", "d"])])
      .pipeThrough(dedupeNews(["z"], 3, counts)),
  );
  assertEquals(out.map((b) => b.news?.map((i) => i.id)), [["a", "b"], ["c", "d"], ["a"]]);
  assertEquals(out.map((b) => b.state.newsSeen), [["z", "a", "b"], ["b", "c", "d"], ["c", "d", "a"]]);
  assertEquals(counts.dropped, 3);
});
