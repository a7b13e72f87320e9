import { assertEquals, assertRejects, assertThrows } from "../assert.ts";
import {
  backfillConfig,
  checkInputFile,
  checkOutputDir,
  checkOutputFile,
  ConfigError,
  demoConfig,
  evalConfig,
  exportConfig,
  ingestConfig,
  newsConfig,
  offlineStore,
  serveConfig,
  simConfig,
  startConfig,
  usage,
} from "../../src/config.ts";

const noEnv = () => undefined;

Deno.test("ingestConfig() has the documented defaults", () => {
  const c = ingestConfig([], noEnv);
  assertEquals(c.pairs, ["BTC/USD", "ETH/USD"]);
  assertEquals(c.dataDir, "./data");
  assertEquals(c.modelsDir, "./models");
  assertEquals(c.wsUrl, "wss://ws.kraken.com/v2");
  assertEquals(c.restUrl, "https://api.kraken.com");
  assertEquals(c.restRate, 1);
  assertEquals(c.from, undefined);
});

Deno.test("flags win over environment variables, which win over defaults", () => {
  const env = (n: string) =>
    ({ DATA_DIR: "/env/data", KRAKEN_WS_URL: "ws://127.0.0.1:1/v2", KRAKEN_REST_URL: "http://127.0.0.1:1" })[
      n
    ];
  const c = ingestConfig(["--data-dir", "/flag/data", "--pairs", "xbt-usd,ETH/USD,btcusd"], env);
  assertEquals(c.dataDir, "/flag/data");
  assertEquals(c.wsUrl, "ws://127.0.0.1:1/v2");
  assertEquals(c.restUrl, "http://127.0.0.1:1");
  assertEquals(c.pairs, ["BTC/USD", "ETH/USD"]);
});

Deno.test("a bad flag or value is one line naming it", () => {
  const cases: [() => unknown, string][] = [
    [() => ingestConfig(["--nope"], noEnv), "unknown flag --nope"],
    [() => ingestConfig(["--pairs", "BTC/USD,zz"], noEnv), "--pairs: 'zz' is not a pair like BTC/USD"],
    [() => ingestConfig(["--from", "yesterday"], noEnv), "--from: 'yesterday' is not a time"],
    [
      () => ingestConfig(["--ws-url", "http://x"], noEnv),
      "--ws-url: 'http://x' must start with ws:// or wss://",
    ],
    [() => ingestConfig(["--rest-rate", "0"], noEnv), "--rest-rate: '0' is not a positive number"],
    [() => ingestConfig(["--log-level", "loud"], noEnv), "--log-level: 'loud'"],
    [() => ingestConfig(["stray"], noEnv), "unexpected argument 'stray'"],
    [() => backfillConfig(["--pairs", "BTC/USD"], noEnv), "--from is required"],
    [() => backfillConfig(["--from", "2019-07-01"], noEnv), "--pairs is required"],
    [
      () => backfillConfig(["--pairs", "BTC/USD", "--from", "2019-07-02", "--to", "2019-07-01"], noEnv),
      "--to must be later than --from",
    ],
    [() => backfillConfig(["--file", "x", "--format", "xml"], noEnv), "--format: 'xml' is not one of"],
    [
      () =>
        exportConfig(
          ["--pair", "BTC/USD", "--out", "-", "--from", "2019-07-02", "--to", "2019-07-01"],
          noEnv,
        ),
      "--to must be later than --from",
    ],
    [() => simConfig([], noEnv), "--file is required"],
    [() => simConfig(["--file", "x", "--port", "70000"], noEnv), "--port"],
    [
      () => simConfig(["--file", "x", "--malformed-every", "1.5"], noEnv),
      "--malformed-every: '1.5' is not an integer",
    ],
    [() => simConfig(["--file", "x", "--speed", "-2"], noEnv), "--speed: '-2' is not a positive number"],
  ];
  for (const [fn, message] of cases) {
    const e = assertThrows(fn, ConfigError, message);
    assertEquals(e.message.includes("\n"), false, e.message);
  }
});

Deno.test("a negative number after a flag is that flag's value, so its own check names it", () => {
  const cases: [() => unknown, string][] = [
    [() => backfillConfig(["--file", "t.csv", "--grace", "-5"], noEnv), "--grace: '-5' is not a number >= 0"],
    [() => simConfig(["--file", "x", "--speed", "-1"], noEnv), "--speed: '-1' is not a positive number"],
    [() => serveConfig(["--port", "-1"], noEnv), "--port: '-1' is not an integer >= 0"],
    [() => ingestConfig(["--rest-rate", "-.5"], noEnv), "--rest-rate: '-.5' is not a positive number"],
    [() => ingestConfig(["--from", "-1000"], noEnv), "--from: '-1000' is not a time (ISO 8601 or epoch ms)"],
  ];
  for (const [fn, message] of cases) {
    const e = assertThrows(fn, ConfigError);
    assertEquals(e.message, message);
  }
});

Deno.test("a boolean flag followed by a negative number still reports the stray argument", () => {
  assertThrows(
    () => backfillConfig(["--file", "t.csv", "--restart", "-5"], noEnv),
    ConfigError,
    "unexpected argument '-5'",
  );
});

Deno.test("backfillConfig() needs no source flags for a consumer-only stage", () => {
  for (const stage of ["candles", "features"]) {
    const c = backfillConfig(["--bus", "kafka", "--stage", stage], noEnv);
    assertEquals([c.stage, c.pairs, c.from, c.file], [stage, [], undefined, undefined]);
  }
  assertThrows(() => backfillConfig(["--bus", "kafka", "--stage", "trades"], noEnv), ConfigError, "--pairs");
});

Deno.test("backfillConfig() needs no --from or --pairs for a file", () => {
  const c = backfillConfig(["--file", "t.csv", "--skip-bad-lines"], noEnv);
  assertEquals([c.file, c.pairs, c.skipBadLines], ["t.csv", [], true]);
});

Deno.test("usage() lists every flag with its default and env var", () => {
  const text = usage("ingest");
  for (const s of ["--pairs", "--from", "--ws-url", "--rest-url", "--record", "KRAKEN_WS_URL", "DATA_DIR"]) {
    assertEquals(text.includes(s), true, s);
  }
});

Deno.test("an empty or zero value is reported with the flag and what it needs, as any bad value is", () => {
  const cases: [() => unknown, string][] = [
    [() => startConfig(["--pairs", ""], noEnv), "--pairs needs a value"],
    [() => serveConfig(["--window="], noEnv), "--window needs a value"],
    [() => simConfig(["--file", ""], noEnv), "--file is required"],
    [
      () => startConfig(["--history", "0"], noEnv),
      "--history: '0' is not a positive duration such as 90m, 12h or 2d",
    ],
    [
      () => demoConfig(["--retrain-every", "0s"], noEnv),
      "--retrain-every: '0s' is not a positive duration such as 90m, 12h or 2d",
    ],
  ];
  for (const [fn, message] of cases) assertEquals(assertThrows(fn, ConfigError).message, message);
});

Deno.test("a value flag given twice is an error naming it, not the last one winning", () => {
  const cases: [() => unknown, string][] = [
    [
      () => backfillConfig(["--file", "t.csv", "--pairs", "BTC/USD", "--pairs=ETH/USD"], noEnv),
      "--pairs is given twice (BTC/USD and ETH/USD): give it once",
    ],
    [
      () => exportConfig(["--pair", "BTC/USD", "--out", "a", "--out", "b", "--out", "-"], noEnv),
      "--out is given 3 times (a and b and -): give it once",
    ],
    [
      () => serveConfig(["--port", "1", "--port", "-1"], noEnv),
      "--port is given twice (1 and -1): give it once",
    ],
    [() => ingestConfig(["--restart-not", "x"], noEnv), "unknown flag --restart-not (see --help)"],
    [() => backfillConfig(["--file", "t.csv", "--restart=yes"], noEnv), "--restart takes no value"],
  ];
  for (const [fn, message] of cases) assertEquals(assertThrows(fn, ConfigError).message, message);
  // A boolean flag twice says the same thing twice.
  assertEquals(backfillConfig(["--file", "t.csv", "--restart", "--restart"], noEnv).restart, true);
});

Deno.test("every check of a path flag words its error as the flag checks do: --name: what is wrong", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/afile`;
    await Deno.writeTextFile(file, "");
    const cases: [() => Promise<unknown>, string][] = [
      [() => checkOutputDir("models-dir", file), `--models-dir: ${file} is not a directory`],
      [() => checkInputFile("file", dir), `--file: ${dir} is a directory, not a file`],
      [() => checkOutputFile("out", `${file}/x.csv`), `--out: ${file} is not a directory`],
      [() => offlineStore(file, "ingest"), `--data-dir: ${file} is not a directory`],
    ];
    for (const [check, message] of cases) {
      assertEquals((await assertRejects(check, ConfigError)).message, message);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bad value from an environment variable names the variable and its flag; the flag overrides it", () => {
  const env = (name: string) => ({ PORT: "abc", KAFKA_BROKERS: "nope", LOG_LEVEL: "loud" })[name];
  assertEquals(
    assertThrows(() => serveConfig(["--log-level", "info"], env), ConfigError).message,
    "env PORT (--port): 'abc' is not an integer >= 0",
  );
  assertEquals(
    assertThrows(() => ingestConfig(["--log-level", "warn"], env), ConfigError).message,
    "env KAFKA_BROKERS (--brokers): 'nope' is not host:port",
  );
  const c = serveConfig(
    ["--bus", "kafka", "--port", "8001", "--brokers", "b:9092", "--log-level", "debug"],
    env,
  );
  assertEquals([c.port, c.brokers, c.logLevel], [8001, ["b:9092"], "debug"]);
});

Deno.test("a stage that reads the bus refuses the source flags it would ignore", () => {
  const kafka = (stage: string) => ["--bus", "kafka", "--stage", stage];
  const message = (flags: string, stage: string) =>
    `${flags}: --stage ${stage} reads the bus, not a source; give source flags to the stage that publishes`;
  const cases: [() => unknown, string][] = [
    [
      () => ingestConfig([...kafka("candles"), "--pairs", "ETH/USD", "--from=1000"], noEnv),
      message("--pairs, --from", "candles"),
    ],
    [
      () => ingestConfig([...kafka("predict"), "--ws-url", "ws://x/v2"], noEnv),
      message("--ws-url", "predict"),
    ],
    [() => backfillConfig([...kafka("features"), "--file", "t.csv"], noEnv), message("--file", "features")],
    [
      () => newsConfig([...kafka("store"), "--file", "n.jsonl", "--poll", "5"], noEnv),
      message("--file, --poll", "store"),
    ],
  ];
  for (const [fn, says] of cases) assertEquals(assertThrows(fn, ConfigError).message, says);
  // What the stage reads is still taken: its windows, and the predict stage's pairs.
  assertEquals(ingestConfig([...kafka("candles"), "--windows", "1m"], noEnv).windows, ["1m"]);
  assertEquals(ingestConfig([...kafka("predict"), "--pairs", "eth/usd"], noEnv).pairs, ["ETH/USD"]);
  assertEquals(ingestConfig([...kafka("trades"), "--pairs", "eth/usd"], noEnv).pairs, ["ETH/USD"]);
});

Deno.test("a flag the chosen source does not read is refused, not ignored", () => {
  const cases: [() => unknown, string][] = [
    [
      () => backfillConfig(["--file", "t.csv", "--rest-url", "http://127.0.0.1:1"], noEnv),
      "--rest-url: --file is read instead of REST",
    ],
    [
      () => backfillConfig(["--pairs", "BTC/USD", "--from", "2024-01-01", "--format", "trades-csv"], noEnv),
      "--format: these read a --file",
    ],
    [
      () => newsConfig(["--file", "n.jsonl", "--currencies", "btc", "--poll", "5"], noEnv),
      "--currencies, --poll: --file is read instead of the CryptoPanic API",
    ],
    [
      () => startConfig(["--news-model", "./m"], noEnv),
      "--news-model: news runs only when CRYPTOPANIC_TOKEN is set",
    ],
  ];
  for (const [fn, says] of cases) assertEquals(assertThrows(fn, ConfigError).message, says);
  // The environment's values are set for every run, so they are not refused.
  const env = (name: string) => ({ KRAKEN_REST_URL: "http://127.0.0.1:1", NEWS_MODEL: "./m" })[name];
  assertEquals(backfillConfig(["--file", "t.csv"], env).file, "t.csv");
  assertEquals(startConfig([], env).news, undefined);
  const withToken = (name: string) => ({ CRYPTOPANIC_TOKEN: "t" })[name];
  assertEquals(startConfig(["--news-model", "./m"], withToken).news?.model, "./m");
});

Deno.test("--llm-* beside a news model that is no LLM, and news:eval's --test-fraction with --split all, are refused", () => {
  const tokenEnv = (name: string) => ({ CRYPTOPANIC_TOKEN: "t" })[name];
  const llm = "for --news-model ollama:MODEL or openai:MODEL, not ./m";
  const cases: [() => unknown, string][] = [
    [
      () => newsConfig(["--file", "n.jsonl", "--news-model", "./m", "--llm-rate", "2"], noEnv),
      `--llm-rate: ${llm}`,
    ],
    [() => startConfig(["--news-model", "./m", "--llm-url", "http://x"], tokenEnv), `--llm-url: ${llm}`],
    [
      () => evalConfig(["--data", "d.jsonl", "--news-model", "./m", "--llm-timeout", "5"], noEnv),
      `--llm-timeout: ${llm}`,
    ],
    [
      () => evalConfig(["--data", "d.jsonl", "--news-model", "lexicon", "--test-fraction", "0.3"], noEnv),
      "--test-fraction: for --split heldout or train",
    ],
  ];
  for (const [fn, says] of cases) assertEquals(assertThrows(fn, ConfigError).message, says);
  const args = ["--file", "n.jsonl", "--news-model", "ollama:llama3.2", "--llm-rate", "2"];
  assertEquals(newsConfig(args, noEnv).llm.rate, 2);
  const heldout = [
    "--data",
    "d.jsonl",
    "--news-model",
    "lexicon",
    "--split",
    "heldout",
    "--test-fraction",
    "0.3",
  ];
  assertEquals(evalConfig(heldout, noEnv).testFraction, 0.3);
});

Deno.test("the Kafka flags on the embedded pipeline are refused by every task that takes them", () => {
  const cases: [() => unknown, string][] = [
    [() => ingestConfig(["--brokers", "k:9092"], noEnv), "--brokers: for --bus kafka"],
    [() => backfillConfig(["--file", "t.csv", "--partitions", "8"], noEnv), "--partitions: for --bus kafka"],
    [
      () => newsConfig(["--file", "n.jsonl", "--topic-prefix", "p."], noEnv),
      "--topic-prefix: for --bus kafka",
    ],
    [
      () => serveConfig(["--bus-refresh", "2", "--bus-deadline", "3"], noEnv),
      "--bus-refresh, --bus-deadline: for --bus kafka",
    ],
  ];
  for (const [fn, says] of cases) assertEquals(assertThrows(fn, ConfigError).message, says);
  // From the environment, set for every run, they are no mistake.
  const env = (name: string) => ({ KAFKA_BROKERS: "k:9092", KAFKA_TOPIC_PREFIX: "p." })[name];
  assertEquals(serveConfig([], env).bus, "embedded");
  assertEquals(serveConfig(["--bus", "kafka", "--bus-refresh", "2"], env).busRefreshMs, 2000);
});

Deno.test("a time flag given epoch seconds says so, instead of reading them as milliseconds of 1970", () => {
  assertEquals(
    assertThrows(() => ingestConfig(["--from", "1704067200"], noEnv), ConfigError).message,
    "--from: '1704067200' looks like epoch seconds; give epoch ms (1704067200000) or ISO 8601",
  );
  assertEquals(ingestConfig(["--from", "1704067200000"], noEnv).from, Date.UTC(2024, 0, 1));
  assertEquals(backfillConfig(["--file", "t.csv", "--to", "2024-01-01"], noEnv).to, Date.UTC(2024, 0, 1));
});

Deno.test("ingest over Kafka refuses --horizon and --predict-window but for the predict stage, which alone predicts", () => {
  const kafka = (stage: string) => ["--bus", "kafka", "--stage", stage];
  for (const stage of ["trades", "candles", "all"]) {
    assertEquals(
      assertThrows(() => ingestConfig([...kafka(stage), "--horizon", "5"], noEnv), ConfigError).message,
      `--horizon: --stage ${stage} over Kafka makes no predictions`,
    );
  }
  const predict = ingestConfig([...kafka("predict"), "--horizon", "5", "--predict-window", "5m"], noEnv);
  assertEquals([predict.horizon, predict.predictWindow], [5, "5m"]);
  assertEquals(ingestConfig(["--horizon", "5"], noEnv).horizon, 5);
});
