/**
 * Flags that several tasks take, declared once so each task parses, checks and documents them the
 * same way. A task that needs another default or help line uses `.with()`.
 */
import { CRYPTOPANIC_URL } from "../sources/cryptopanic/client.ts";
import { TRADE_FORMATS } from "../sources/files/trade_formats.ts";
import { KRAKEN_WS_URL } from "../sources/kraken/live_trades.ts";
import { KRAKEN_REST_URL } from "../sources/kraken/rest_client.ts";
import { DEFAULT_NEWS_MODEL } from "../news_model/default_model.ts";
import type { LlmSettings } from "../news_model/llm/llm_settings.ts";
import { OLLAMA_URL } from "../news_model/llm/ollama.ts";
import { OPENAI_URL } from "../news_model/llm/openai_compat.ts";
import type { Level } from "../util/log.ts";
import { ConfigError } from "./config_error.ts";
import { flag } from "./flag.ts";
import { type Env, givenFlags, type Parsed } from "./parse_flags.ts";

const LEVELS = ["debug", "info", "warn", "error"] as const satisfies readonly Level[];

/** What every task takes. */
export const COMMON = {
  dataDir: flag.string("data-dir", {
    env: "DATA_DIR",
    default: "./data",
    help: "where stores and checkpoints live",
  }),
  modelsDir: flag.string("models-dir", {
    env: "MODELS_DIR",
    default: "./models",
    help: "the model registry",
  }),
  logLevel: flag.oneOf("log-level", LEVELS, {
    env: "LOG_LEVEL",
    default: "info",
    help: "debug, info, warn or error",
  }),
};
export type CommonConfig = Parsed<typeof COMMON>;

/** How trades become candles and feature rows. */
export const FEATURES = {
  windows: flag.windows("windows", {
    default: "1m,5m",
    help: "candle windows, comma separated (1m, 5m, 15m, 1h)",
  }),
  graceMs: flag.seconds("grace", {
    min: 0,
    default: "5",
    help: "seconds out-of-order trades are still accepted",
  }),
};
export type FeatureConfig = Parsed<typeof FEATURES>;

/** Kraken's REST API (history and catching up). */
export const KRAKEN_REST = {
  restUrl: flag.url("rest-url", ["http:", "https:"], {
    env: "KRAKEN_REST_URL",
    default: KRAKEN_REST_URL,
    help: "Kraken REST base URL",
  }),
  restRate: flag.number("rest-rate", {
    positive: true,
    env: "KRAKEN_REST_RATE",
    default: "1",
    help: "REST requests per second",
  }),
};

/** Kraken's WebSocket v2 API (live trades). */
export const KRAKEN_WS = {
  wsUrl: flag.url("ws-url", ["ws:", "wss:"], {
    env: "KRAKEN_WS_URL",
    default: KRAKEN_WS_URL,
    help: "Kraken WS v2 URL",
  }),
  wsTimeoutMs: flag.seconds("ws-timeout", {
    positive: true,
    default: "10",
    help: "seconds without data before reconnecting",
  }),
};

export const RECORD = flag.string("record", {
  help: "also append every deduplicated trade to this JSONL file",
});

/** A trade file's format, for the tasks that replay one. */
export const TRADE_FORMAT = flag.oneOf("format", TRADE_FORMATS, {
  help: `file format: ${TRADE_FORMATS.join(", ")} (default: detected)`,
});

export const STAGES = ["trades", "candles", "features", "predict", "all"] as const;
export type Stage = typeof STAGES[number];

/** The transport between stages. */
export const BUS = {
  bus: flag.oneOf("bus", ["embedded", "kafka"], {
    default: "embedded",
    help: "embedded (one process) or kafka",
  }),
  brokers: flag.list("brokers", {
    env: "KAFKA_BROKERS",
    default: "127.0.0.1:9092",
    help: "Kafka bootstrap brokers, comma separated",
    item: (b) => {
      if (!/^[\w.-]+:\d{1,5}$/.test(b)) throw new RangeError(`'${b}' is not host:port`);
      return b;
    },
  }),
  stage: flag.oneOf("stage", STAGES, {
    default: "all",
    help: "with --bus kafka: trades, candles, features, predict (ingest only) or all",
  }),
  topicPrefix: flag.custom("topic-prefix", {
    env: "KAFKA_TOPIC_PREFIX",
    default: "",
    help: "prefix of every topic and group name",
  }, (raw) => {
    if (raw && !/^[\w.-]+$/.test(raw)) throw new RangeError(`'${raw}' may hold letters, digits, . _ - only`);
    return raw;
  }),
  partitions: flag.number("partitions", {
    min: 1,
    integer: true,
    default: "3",
    help: "partitions of topics this task creates",
  }),
  busDeadlineMs: flag.seconds("bus-deadline", {
    positive: true,
    default: "60",
    help: "seconds the cluster may stay unreachable before the task fails",
  }),
};
export type BusConfig = Parsed<typeof BUS>;

/** Refuses the Kafka flags typed for a task on the embedded pipeline, which has no cluster to use them on. */
export function checkEmbedded(args: readonly string[], bus: "embedded" | "kafka"): void {
  if (bus !== "embedded") return;
  refuseTyped(
    args,
    ["brokers", "topic-prefix", "partitions", "bus-deadline", "bus-refresh"],
    "for --bus kafka",
  );
}

/** Which feature rows the predict stage predicts (`ingest --bus kafka --stage predict`). */
export const PREDICT_FROM = flag.time("predict-from", {
  help: "with --stage predict: predict the rows that close after this time (default: when the stage starts)",
});

/** The check across bus flags that no one flag can make. */
export function checkBus(c: BusConfig & { predictFrom?: number | undefined }): void {
  if (c.bus === "embedded" && c.stage !== "all") throw new ConfigError("--stage needs --bus kafka");
  if (c.predictFrom !== undefined && c.stage !== "predict") {
    throw new ConfigError("--predict-from is for --stage predict");
  }
}

/**
 * Refuses the source flags of `unused` typed for a `--stage` that reads the bus instead of a
 * source: ignored, they would look obeyed (`--stage candles --pairs ETH/USD` still makes every
 * pair's candles).
 */
export function checkSourceless(args: readonly string[], stage: string, unused: readonly string[]): void {
  refuseTyped(
    args,
    unused,
    `--stage ${stage} reads the bus, not a source; give source flags to the stage that publishes`,
  );
}

/**
 * Refuses the flags of `unused` typed in `args`, which this run would not read, saying `why`: an
 * ignored flag looks obeyed. Their environment variables are left alone, being set for every run.
 */
export function refuseTyped(args: readonly string[], unused: readonly string[], why: string): void {
  const typed = [...new Set(givenFlags(args).filter((name) => unused.includes(name)))];
  if (typed.length > 0) throw new ConfigError(`${typed.map((name) => `--${name}`).join(", ")}: ${why}`);
}

/** How to reach the LLM of `--news-model ollama:MODEL` or `openai:MODEL`. */
export const NEWS_LLM = {
  llmUrl: flag.url("llm-url", ["http:", "https:"], {
    env: "LLM_URL",
    help: `LLM server base URL (default ${OLLAMA_URL} for ollama:, ${OPENAI_URL} for openai:); ` +
      "key from env LLM_API_KEY or OPENAI_API_KEY",
  }),
  llmConcurrency: flag.number("llm-concurrency", {
    min: 1,
    integer: true,
    default: "4",
    help: "LLM requests in flight at once",
  }),
  llmRate: flag.number("llm-rate", { positive: true, help: "LLM requests per second (default: no limit)" }),
  llmTimeoutMs: flag.seconds("llm-timeout", {
    positive: true,
    default: "60",
    help: "seconds an LLM request may take before it is retried",
  }),
};

/** Refuses `--llm-*` flags typed beside a `--news-model` that is no LLM, which would not read them. */
export function checkLlmFlags(args: readonly string[], newsModel: string): void {
  if (/^(ollama|openai):/.test(newsModel)) return;
  refuseTyped(
    args,
    Object.values(NEWS_LLM).map((f) => f.name),
    `for --news-model ollama:MODEL or openai:MODEL, not ${newsModel}`,
  );
}

/** The LLM settings of parsed `NEWS_LLM` flags, with the key from the environment (never a flag). */
export function llmSettings(c: Parsed<typeof NEWS_LLM>, env: Env): LlmSettings {
  return {
    url: c.llmUrl,
    concurrency: c.llmConcurrency,
    rate: c.llmRate,
    timeoutMs: c.llmTimeoutMs,
    apiKey: env("LLM_API_KEY") || env("OPENAI_API_KEY") || undefined,
  };
}

/** The news classifier and the CryptoPanic API. */
export const NEWS = {
  newsModel: flag.string("news-model", {
    env: "NEWS_MODEL",
    default: DEFAULT_NEWS_MODEL,
    help: "transformers.js text-classification model (a local directory or a Hugging Face id), " +
      "or an LLM: ollama:MODEL or openai:MODEL",
  }),
  ...NEWS_LLM,
  apiUrl: flag.url("api-url", ["http:", "https:"], {
    env: "CRYPTOPANIC_API_URL",
    default: CRYPTOPANIC_URL,
    help: "CryptoPanic API base (…/api/developer/v2 or …/api/free/v1); token from env CRYPTOPANIC_TOKEN",
  }),
  pollMs: flag.seconds("poll", { positive: true, default: "60", help: "seconds between polls of the API" }),
};

/** From the environment only: a flag would end up in shell history and process lists. */
export function cryptoPanicToken(env: Env): string | undefined {
  return env("CRYPTOPANIC_TOKEN") || undefined;
}

/** Where the API listens and what it serves. */
export const HTTP_PORT = flag.port("port", {
  env: "PORT",
  default: "8000",
  help: "HTTP port of the API and dashboard",
});
export const HOST = flag.custom("host", { default: "0.0.0.0", help: "address to listen on" }, (raw) => {
  // Checked here, so a mistyped address exits 2 before any store is opened, not 1 at the listen.
  if (!/^[\w.-]+$|^\[?[\da-fA-F:.]+\]?$/.test(raw)) {
    throw new RangeError(`'${raw}' is not a host name or address`);
  }
  return raw;
});
export const HORIZON = flag.number("horizon", {
  min: 1,
  integer: true,
  default: "1",
  help: "candles ahead to predict",
});
export const MAX_FEATURE_AGE = flag.number("max-feature-age", {
  min: 0,
  help: "seconds before features count as stale (default: three windows; 0: never, for replayed history)",
});

/**
 * The check of a `--from`/`--to` pair, one message for every task that takes both: an empty range
 * would read nothing and say only that.
 */
export function checkRange(c: { from?: number | undefined; to?: number | undefined }): void {
  if (c.from !== undefined && c.to !== undefined && c.to <= c.from) {
    throw new ConfigError("--to must be later than --from");
  }
}

/** One series of the offline store. */
export const PAIR = flag.pair("pair", { required: true, help: "the pair, e.g. BTC/USD" });
export const WINDOW = flag.window("window", { default: "1m", help: "the window" });

/** `--with-pairs`, checked against `--pair`: a model's own pair is no other pair. */
export function otherPairsFlag(pair: string, withPairs: string[] | undefined): string[] {
  if (withPairs?.includes(pair)) {
    throw new ConfigError(`--with-pairs names ${pair}, the pair itself: give only other pairs`);
  }
  return withPairs ?? [];
}

/** The first model of a cold start (start, demo). */
export const COLD_START = {
  minRows: flag.number("min-rows", {
    min: 100,
    integer: true,
    default: "600",
    help: "candles a pair needs before its first model",
  }),
  trainBudget: flag.number("train-budget", {
    min: 1,
    integer: true,
    default: "8",
    help: "settings the first model's search tries",
  }),
};
