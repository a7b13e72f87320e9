/**
 * Every flag and environment variable of every task, parsed and validated in one place.
 * A bad flag or value throws a {@linkcode ConfigError} whose message is the one line the task
 * prints before exiting with status 2.
 */
import { parseArgs } from "node:util";
import { parsePair } from "./domain/pair.ts";
import { parseTime } from "./domain/time.ts";
import { TRADE_FORMATS, type TradeFormat } from "./sources/files/trade_formats.ts";
import { CANDLE_FORMATS, type CandleFormat } from "./sources/files/candle_formats.ts";
import { isWindow, parseWindows, type Window } from "./domain/candle.ts";
import { KRAKEN_REST_URL } from "./sources/kraken/rest_client.ts";
import { KRAKEN_WS_URL } from "./sources/kraken/live_trades.ts";
import type { Level } from "./util/log.ts";
import { CRYPTOPANIC_URL } from "./sources/cryptopanic/client.ts";
import { DEFAULT_NEWS_MODEL } from "./news_model/default_model.ts";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads an environment variable; injected so tests need no real environment. */
export type Env = (name: string) => string | undefined;

export const denoEnv: Env = (name: string): string | undefined => Deno.env.get(name);

type Values = Record<string, string | boolean | undefined>;

interface FlagSpec {
  type: "string" | "boolean";
  env?: string;
  default?: string;
  help: string;
}

const COMMON: Record<string, FlagSpec> = {
  "data-dir": {
    type: "string",
    env: "DATA_DIR",
    default: "./data",
    help: "where stores and checkpoints live",
  },
  "models-dir": { type: "string", env: "MODELS_DIR", default: "./models", help: "the model registry" },
  "log-level": { type: "string", env: "LOG_LEVEL", default: "info", help: "debug, info, warn or error" },
  help: { type: "boolean", help: "show this help" },
};

const FILE_FORMATS = [...TRADE_FORMATS, ...CANDLE_FORMATS] as const;
export type FileFormat = TradeFormat | CandleFormat;

const FEATURES: Record<string, FlagSpec> = {
  windows: { type: "string", default: "1m,5m", help: "candle windows, comma separated (1m, 5m, 15m, 1h)" },
  grace: { type: "string", default: "5", help: "seconds out-of-order trades are still accepted" },
};

const BUS: Record<string, FlagSpec> = {
  bus: { type: "string", default: "embedded", help: "embedded (one process) or kafka" },
  brokers: {
    type: "string",
    env: "KAFKA_BROKERS",
    default: "127.0.0.1:9092",
    help: "Kafka bootstrap brokers, comma separated",
  },
  stage: { type: "string", default: "all", help: "with --bus kafka: trades, candles, features or all" },
  "topic-prefix": {
    type: "string",
    env: "KAFKA_TOPIC_PREFIX",
    default: "",
    help: "prefix of every topic and group name",
  },
  partitions: { type: "string", default: "3", help: "partitions of topics this task creates" },
  "bus-deadline": {
    type: "string",
    default: "60",
    help: "seconds the cluster may stay unreachable before the task fails",
  },
};

const KRAKEN: Record<string, FlagSpec> = {
  "rest-url": {
    type: "string",
    env: "KRAKEN_REST_URL",
    default: KRAKEN_REST_URL,
    help: "Kraken REST base URL",
  },
  "rest-rate": { type: "string", env: "KRAKEN_REST_RATE", default: "1", help: "REST requests per second" },
  record: { type: "string", help: "also append every deduplicated trade to this JSONL file" },
};

export const TASK_FLAGS: Record<string, Record<string, FlagSpec>> = {
  ingest: {
    ...COMMON,
    ...KRAKEN,
    ...FEATURES,
    ...BUS,
    pairs: { type: "string", default: "BTC/USD,ETH/USD", help: "pairs to follow, comma separated" },
    from: { type: "string", help: "on a first run, catch up through REST from this time" },
    "ws-url": { type: "string", env: "KRAKEN_WS_URL", default: KRAKEN_WS_URL, help: "Kraken WS v2 URL" },
    "ws-timeout": { type: "string", default: "10", help: "seconds without data before reconnecting" },
    "stats-every": { type: "string", default: "10", help: "seconds between progress lines" },
    "predict-window": { type: "string", help: "window predictions are made on (default: the smallest)" },
    horizon: { type: "string", default: "1", help: "candles ahead the served model predicts" },
  },
  backfill: {
    ...COMMON,
    ...KRAKEN,
    ...FEATURES,
    ...BUS,
    pairs: { type: "string", help: "pairs to backfill, comma separated" },
    from: { type: "string", help: "start time (ISO 8601 or epoch ms)" },
    to: { type: "string", help: "end time, exclusive (default: the exchange's latest trade)" },
    file: { type: "string", help: "read a trade or candle history file instead of REST" },
    format: { type: "string", help: `file format: ${FILE_FORMATS.join(", ")} (default: detected)` },
    "skip-bad-lines": { type: "boolean", help: "count and skip malformed file lines instead of failing" },
    restart: { type: "boolean", help: "ignore the checkpoint of this backfill and start over" },
  },
  sim: {
    ...COMMON,
    file: { type: "string", help: "trade file to replay" },
    format: { type: "string", help: `file format: ${TRADE_FORMATS.join(", ")} (default: detected)` },
    pairs: { type: "string", default: "BTC/USD", help: "the pair of a kraken-trades file" },
    speed: { type: "string", default: "1", help: "simulated seconds per real second" },
    port: { type: "string", default: "8787", help: "port to listen on (0: any free port)" },
    host: { type: "string", default: "127.0.0.1", help: "address to listen on" },
    "drop-every": { type: "string", default: "0", help: "drop WS connections every S seconds" },
    "malformed-every": { type: "string", default: "0", help: "send a malformed frame every N frames" },
    "throttle-every": { type: "string", default: "0", help: "rate-limit every Nth REST call" },
    "stall-every": { type: "string", default: "0", help: "stall WS connections every S seconds" },
  },
  news: {
    ...COMMON,
    file: {
      type: "string",
      help: "classify a news history file (CryptoPanic JSON/CSV or JSONL) instead of the API",
    },
    "skip-bad-lines": { type: "boolean", help: "count and skip malformed file entries instead of failing" },
    "api-url": {
      type: "string",
      env: "CRYPTOPANIC_API_URL",
      default: CRYPTOPANIC_URL,
      help: "CryptoPanic API base (…/api/developer/v2 or …/api/free/v1); token from env CRYPTOPANIC_TOKEN",
    },
    currencies: { type: "string", help: "only posts about these tickers, comma separated" },
    poll: { type: "string", default: "60", help: "seconds between polls of the API" },
    "backfill-pages": { type: "string", default: "10", help: "API pages to follow back on the first poll" },
    "api-rate": { type: "string", default: "0.5", help: "API requests per second" },
    "news-model": {
      type: "string",
      env: "NEWS_MODEL",
      default: DEFAULT_NEWS_MODEL,
      help: "transformers.js text-classification model: a local directory or a Hugging Face id",
    },
    batch: { type: "string", default: "64", help: "headlines classified together" },
  },
  "news:distill": {
    ...COMMON,
    data: { type: "string", help: "teacher-labelled JSONL file(s) (.jsonl or .jsonl.gz), comma separated" },
    out: { type: "string", help: "model directory to write (default: <models-dir>/news-distilled)" },
    "test-fraction": { type: "string", default: "0.2", help: "share of headlines held out for the report" },
    "min-count": {
      type: "string",
      default: "2",
      help: "training headlines a word needs to enter the vocabulary",
    },
    epochs: { type: "string", default: "300", help: "full-batch training epochs" },
    "keep-worse": { type: "boolean", help: "write the model even when a baseline beats it" },
    json: { type: "boolean", help: "print the report as JSON" },
  },
  train: {
    ...COMMON,
    pair: { type: "string", help: "the pair, e.g. BTC/USD" },
    window: { type: "string", default: "1m", help: "the window" },
    horizon: { type: "string", default: "1", help: "candles ahead to predict" },
    model: { type: "string", default: "auto", help: "auto (ridge and gbdt compete), gbdt or ridge" },
    folds: { type: "string", default: "5", help: "walk-forward folds" },
    budget: { type: "string", default: "20", help: "settings tried by the search" },
    seed: { type: "string", default: "1", help: "seed of the search and the trees" },
    embargo: {
      type: "string",
      help: "candles between training and test rows (default and minimum: the horizon)",
    },
    "with-pairs": { type: "string", help: "other pairs whose features join each row, comma separated" },
    json: { type: "boolean", help: "print the report as JSON on stdout" },
  },
  models: {
    ...COMMON,
    name: { type: "string", help: "model name (promote, rollback), e.g. btc-usd_1m_h1" },
    version: { type: "string", help: "version to promote, e.g. v0003" },
    reason: { type: "string", default: "promoted by hand", help: "why (promote)" },
  },
  serve: {
    ...COMMON,
    port: { type: "string", env: "PORT", default: "8000", help: "port to listen on" },
    host: { type: "string", default: "0.0.0.0", help: "address to listen on" },
    pairs: { type: "string", default: "BTC/USD,ETH/USD", help: "pairs to serve, comma separated" },
    window: { type: "string", default: "1m", help: "the window predictions are made on" },
    horizon: { type: "string", default: "1", help: "candles ahead (the model's horizon)" },
    "max-feature-age": {
      type: "string",
      help: "seconds before features count as stale (default: three windows; 0: never, for replayed history)",
    },
    cors: { type: "string", env: "CORS_ORIGINS", help: "allowed CORS origins, comma separated (* for any)" },
    "model-refresh": {
      type: "string",
      default: "5",
      help: "seconds between checks for a newly promoted model",
    },
  },
  start: {
    ...COMMON,
    pairs: { type: "string", default: "BTC/USD,ETH/USD", help: "pairs to follow and predict" },
    windows: { type: "string", default: "1m", help: "candle windows; predictions are made on the first" },
    grace: { type: "string", default: "5", help: "seconds out-of-order trades are still accepted" },
    horizon: { type: "string", default: "1", help: "candles ahead to predict" },
    port: { type: "string", env: "PORT", default: "8000", help: "HTTP port of the API and dashboard" },
    host: { type: "string", default: "0.0.0.0", help: "address to listen on" },
    history: {
      type: "string",
      default: "1d",
      help: "cold start: history to load before the first model (e.g. 12h, 2d)",
    },
    "min-rows": { type: "string", default: "600", help: "candles a pair needs before its first model" },
    "train-budget": { type: "string", default: "8", help: "settings the first model's search tries" },
    "max-feature-age": {
      type: "string",
      help: "seconds before /predict calls features stale (default three windows)",
    },
    "ws-url": { type: "string", env: "KRAKEN_WS_URL", default: KRAKEN_WS_URL, help: "Kraken WS v2 URL" },
    "rest-url": {
      type: "string",
      env: "KRAKEN_REST_URL",
      default: KRAKEN_REST_URL,
      help: "Kraken REST base URL",
    },
    "rest-rate": { type: "string", env: "KRAKEN_REST_RATE", default: "1", help: "REST requests per second" },
    "ws-timeout": { type: "string", default: "10", help: "seconds without data before reconnecting" },
    "news-model": {
      type: "string",
      env: "NEWS_MODEL",
      default: DEFAULT_NEWS_MODEL,
      help: "news classifier (when CRYPTOPANIC_TOKEN is set)",
    },
    "api-url": {
      type: "string",
      env: "CRYPTOPANIC_API_URL",
      default: CRYPTOPANIC_URL,
      help: "CryptoPanic API base",
    },
    poll: { type: "string", default: "60", help: "seconds between CryptoPanic polls" },
  },
  demo: {
    "data-dir": {
      type: "string",
      env: "DEMO_DATA_DIR",
      default: "./data/demo",
      help: "where the demo's stores live",
    },
    "models-dir": {
      type: "string",
      env: "DEMO_MODELS_DIR",
      default: "./models/demo",
      help: "the demo's registry",
    },
    "log-level": { type: "string", env: "LOG_LEVEL", default: "info", help: "debug, info, warn or error" },
    help: { type: "boolean", help: "show this help" },
    file: {
      type: "string",
      help: "trade file to replay (default: a synthetic market generated in the data dir)",
    },
    format: { type: "string", help: `file format: ${TRADE_FORMATS.join(", ")} (default: detected)` },
    pairs: {
      type: "string",
      default: "BTC/USD,ETH/USD",
      help: "pairs of the synthetic market (or of a kraken-trades file)",
    },
    minutes: { type: "string", default: "2880", help: "length of the synthetic market, minutes" },
    history: { type: "string", default: "1d", help: "the first part of the file served as history (REST)" },
    speed: { type: "string", default: "60", help: "simulated seconds per real second after the history" },
    horizon: { type: "string", default: "1", help: "candles ahead to predict" },
    port: { type: "string", default: "8000", help: "HTTP port of the API and dashboard" },
    "min-rows": { type: "string", default: "600", help: "candles a pair needs before its first model" },
    "train-budget": { type: "string", default: "8", help: "settings the first model's search tries" },
  },
  "features export": {
    ...COMMON,
    pair: { type: "string", help: "the pair, e.g. BTC/USD" },
    window: { type: "string", default: "1m", help: "the window" },
    from: { type: "string", help: "first window start (ISO 8601 or epoch ms)" },
    to: { type: "string", help: "end, exclusive" },
    format: { type: "string", default: "csv", help: "csv or jsonl" },
    out: { type: "string", help: "output file (- for stdout)" },
  },
  "features tail": {
    ...COMMON,
    pair: { type: "string", help: "the pair, e.g. BTC/USD" },
    window: { type: "string", default: "1m", help: "the window" },
    n: { type: "string", default: "10", help: "how many rows" },
  },
};

export function usage(task: string): string {
  const flags = TASK_FLAGS[task] ?? {};
  const rows = Object.entries(flags).map(([name, f]) => {
    const extra = [f.default !== undefined ? `default ${f.default}` : "", f.env ? `env ${f.env}` : ""]
      .filter(Boolean).join(", ");
    return `  --${name.padEnd(16)} ${f.help}${extra ? ` (${extra})` : ""}`;
  });
  return `usage: deno task ${task} [flags]\n${rows.join("\n")}`;
}

const NEGATIVE_NUMBER = /^-\.?\d/;

/**
 * `--grace -5` as `--grace=-5`: parseArgs takes a value starting with `-` for a flag, and calls
 * it ambiguous, so the flag's own check would never get to say what is wrong with it.
 */
function joinNegativeValues(flags: Record<string, FlagSpec>, args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    const name = /^--([^=]+)$/.exec(arg)?.[1];
    if (
      name !== undefined && flags[name]?.type === "string" && next !== undefined && NEGATIVE_NUMBER.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else if (NEGATIVE_NUMBER.test(arg)) {
      throw new ConfigError(`unexpected argument '${arg}' (flags look like --name value)`);
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** Parses `args` for `task`: flags, then env vars, then defaults. */
export function parseFlags(task: string, args: readonly string[], env: Env): Values {
  const flags = TASK_FLAGS[task];
  if (!flags) throw new ConfigError(`unknown task ${task}`);
  let values: Values;
  const joined = joinNegativeValues(flags, args);
  try {
    const options = Object.fromEntries(Object.entries(flags).map(([k, f]) => [k, { type: f.type }]));
    values = parseArgs({ args: joined, options, strict: true, allowPositionals: false }).values as Values;
  } catch (e) {
    const m = /Unknown option '([^']+)'/.exec((e as Error).message);
    if (m) throw new ConfigError(`unknown flag ${m[1]} (see --help)`);
    const p = /Unexpected argument '([^']+)'/.exec((e as Error).message);
    if (p) throw new ConfigError(`unexpected argument '${p[1]}' (flags look like --name value)`);
    throw new ConfigError((e as Error).message.split("\n")[0] ?? "bad arguments");
  }
  for (const [name, f] of Object.entries(flags)) {
    if (values[name] !== undefined) continue;
    const fromEnv = f.env ? env(f.env) : undefined;
    if (fromEnv !== undefined && fromEnv !== "") values[name] = fromEnv;
    else if (f.default !== undefined) values[name] = f.default;
  }
  return values;
}

/**
 * Checks, before any work starts, that `path` (the value of `--flag`) is a file this task can
 * read: a missing file, a directory or a `.gz` name over other content is a bad flag value.
 */
export async function checkInputFile(flag: string, path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new ConfigError(`--${flag}: no such file: ${path}`);
    throw new ConfigError(`--${flag}: cannot read ${path}: ${(e as Error).message}`);
  }
  if (info.isDirectory) throw new ConfigError(`--${flag}: ${path} is a directory, not a file`);
  if (!path.endsWith(".gz")) return;
  const head = new Uint8Array(2);
  const file = await Deno.open(path);
  try {
    const n = await file.read(head);
    if (n !== 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
      throw new ConfigError(`--${flag}: ${path} is not gzip, though its name ends in .gz`);
    }
  } finally {
    file.close();
  }
}

function str(v: Values, name: string): string | undefined {
  const x = v[name];
  return typeof x === "string" ? x : undefined;
}

function need(v: Values, name: string, why = ""): string {
  const x = str(v, name);
  if (x === undefined || x === "") throw new ConfigError(`--${name} is required${why}`);
  return x;
}

function num(v: Values, name: string, { min = -Infinity, integer = false, positive = false } = {}): number {
  const raw = need(v, name);
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || (positive && n <= 0)) {
    const what = `${positive ? "a positive" : "a"}${integer ? "n integer" : " number"}${
      min > -Infinity ? ` >= ${min}` : ""
    }`;
    throw new ConfigError(`--${name}: '${raw}' is not ${what}`);
  }
  return n;
}

function time(v: Values, name: string): number | undefined {
  const raw = str(v, name);
  if (raw === undefined) return undefined;
  try {
    return parseTime(raw);
  } catch {
    throw new ConfigError(`--${name}: '${raw}' is not a time (ISO 8601 or epoch ms)`);
  }
}

function pairs(v: Values, name: string): string[] {
  const raw = need(v, name);
  const list = raw.split(",").map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new ConfigError(`--${name}: no pair given`);
  const out: string[] = [];
  for (const p of list) {
    try {
      const pair = parsePair(p);
      if (!out.includes(pair)) out.push(pair);
    } catch {
      throw new ConfigError(`--${name}: '${p}' is not a pair like BTC/USD`);
    }
  }
  return out;
}

function url(v: Values, name: string, schemes: readonly string[]): string {
  const raw = need(v, name);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(`--${name}: '${raw}' is not a URL`);
  }
  if (!schemes.includes(u.protocol)) {
    throw new ConfigError(`--${name}: '${raw}' must start with ${schemes.map((s) => `${s}//`).join(" or ")}`);
  }
  return raw.replace(/\/+$/, "");
}

function format<F extends string>(v: Values, allowed: readonly F[]): F | undefined {
  const raw = str(v, "format");
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`--format: '${raw}' is not one of ${allowed.join(", ")}`);
  }
  return raw as F;
}

function windows(v: Values): Window[] {
  try {
    return parseWindows(need(v, "windows"));
  } catch (e) {
    throw new ConfigError(`--windows: ${(e as Error).message}`);
  }
}

function oneWindow(v: Values): Window {
  const raw = need(v, "window");
  if (!isWindow(raw)) throw new ConfigError(`--window: '${raw}' is not a window (1m, 5m, 15m, 1h)`);
  return raw;
}

export interface FeatureConfig {
  windows: Window[];
  graceMs: number;
}

export const STAGES = ["trades", "candles", "features", "all"] as const;
export type Stage = typeof STAGES[number];

export interface BusConfig {
  bus: "embedded" | "kafka";
  brokers: string[];
  stage: Stage;
  topicPrefix: string;
  partitions: number;
  busDeadlineMs: number;
}

function busConfig(v: Values): BusConfig {
  const bus = need(v, "bus");
  if (bus !== "embedded" && bus !== "kafka") {
    throw new ConfigError(`--bus: '${bus}' is not embedded or kafka`);
  }
  const stage = need(v, "stage");
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw new ConfigError(`--stage: '${stage}' is not one of ${STAGES.join(", ")}`);
  }
  if (bus === "embedded" && stage !== "all") throw new ConfigError("--stage needs --bus kafka");
  const brokers = need(v, "brokers").split(",").map((b) => b.trim()).filter(Boolean);
  for (const b of brokers) {
    if (!/^[\w.-]+:\d{1,5}$/.test(b)) throw new ConfigError(`--brokers: '${b}' is not host:port`);
  }
  const prefix = str(v, "topic-prefix") ?? "";
  if (prefix && !/^[\w.-]+$/.test(prefix)) {
    throw new ConfigError(`--topic-prefix: '${prefix}' may hold letters, digits, . _ - only`);
  }
  return {
    bus,
    brokers,
    stage: stage as Stage,
    topicPrefix: prefix,
    partitions: num(v, "partitions", { min: 1, integer: true }),
    busDeadlineMs: num(v, "bus-deadline", { positive: true }) * 1000,
  };
}

function portOf(v: Values): number {
  const port = num(v, "port", { min: 0, integer: true });
  if (port > 65535) throw new ConfigError(`--port: '${port}' is not a port (0-65535)`);
  return port;
}

function features(v: Values): FeatureConfig {
  return { windows: windows(v), graceMs: num(v, "grace", { min: 0 }) * 1000 };
}

function level(v: Values): Level {
  const raw = need(v, "log-level");
  if (!["debug", "info", "warn", "error"].includes(raw)) {
    throw new ConfigError(`--log-level: '${raw}' is not one of debug, info, warn, error`);
  }
  return raw as Level;
}

export interface CommonConfig {
  dataDir: string;
  modelsDir: string;
  logLevel: Level;
  help: boolean;
}

function common(v: Values): CommonConfig {
  return {
    dataDir: need(v, "data-dir"),
    modelsDir: need(v, "models-dir"),
    logLevel: level(v),
    help: v.help === true,
  };
}

export interface IngestConfig extends CommonConfig, FeatureConfig, BusConfig {
  predictWindow: Window;
  horizon: number;
  pairs: string[];
  from: number | undefined;
  wsUrl: string;
  restUrl: string;
  restRate: number;
  wsTimeoutMs: number;
  statsEveryMs: number;
  record: string | undefined;
}

export function ingestConfig(args: readonly string[], env: Env = denoEnv): IngestConfig {
  const v = parseFlags("ingest", args, env);
  const f = features(v);
  let predictWindow = f.windows[0]!;
  const pw = str(v, "predict-window");
  if (pw !== undefined) {
    if (!isWindow(pw) || !f.windows.includes(pw)) {
      throw new ConfigError(
        `--predict-window: '${pw}' is not one of the --windows (${f.windows.join(", ")})`,
      );
    }
    predictWindow = pw;
  }
  return {
    ...common(v),
    ...f,
    ...busConfig(v),
    predictWindow,
    horizon: num(v, "horizon", { min: 1, integer: true }),
    pairs: pairs(v, "pairs"),
    from: time(v, "from"),
    wsUrl: url(v, "ws-url", ["ws:", "wss:"]),
    restUrl: url(v, "rest-url", ["http:", "https:"]),
    restRate: num(v, "rest-rate", { positive: true }),
    wsTimeoutMs: num(v, "ws-timeout", { positive: true }) * 1000,
    statsEveryMs: num(v, "stats-every", { positive: true }) * 1000,
    record: str(v, "record"),
  };
}

export interface BackfillConfig extends CommonConfig, FeatureConfig, BusConfig {
  pairs: string[];
  from: number | undefined;
  to: number | undefined;
  restUrl: string;
  restRate: number;
  record: string | undefined;
  file: string | undefined;
  format: FileFormat | undefined;
  skipBadLines: boolean;
  restart: boolean;
}

export function backfillConfig(args: readonly string[], env: Env = denoEnv): BackfillConfig {
  const v = parseFlags("backfill", args, env);
  const file = str(v, "file");
  const bus = busConfig(v);
  // The candles and features stages read the bus, not a source.
  const sourceless = bus.bus === "kafka" && (bus.stage === "candles" || bus.stage === "features");
  const cfg: BackfillConfig = {
    ...common(v),
    ...features(v),
    ...bus,
    pairs: (file !== undefined || sourceless) && str(v, "pairs") === undefined ? [] : pairs(v, "pairs"),
    from: time(v, "from"),
    to: time(v, "to"),
    restUrl: url(v, "rest-url", ["http:", "https:"]),
    restRate: num(v, "rest-rate", { positive: true }),
    record: str(v, "record"),
    file,
    format: format(v, FILE_FORMATS),
    skipBadLines: v["skip-bad-lines"] === true,
    restart: v.restart === true,
  };
  if (cfg.help) return cfg;
  if (file === undefined && cfg.from === undefined && !sourceless) {
    throw new ConfigError("--from is required (or give --file)");
  }
  if (cfg.from !== undefined && cfg.to !== undefined && cfg.to <= cfg.from) {
    throw new ConfigError("--to must be later than --from");
  }
  return cfg;
}

export interface SimConfig extends CommonConfig {
  file: string;
  format: TradeFormat | undefined;
  pair: string;
  speed: number;
  port: number;
  host: string;
  dropEverySec: number;
  malformedEvery: number;
  throttleEvery: number;
  stallEverySec: number;
}

export function simConfig(args: readonly string[], env: Env = denoEnv): SimConfig {
  const v = parseFlags("sim", args, env);
  const c = common(v);
  const sim: SimConfig = {
    ...c,
    file: c.help ? "" : need(v, "file"),
    format: format(v, TRADE_FORMATS),
    pair: pairs(v, "pairs")[0] as string,
    speed: num(v, "speed", { positive: true }),
    port: num(v, "port", { min: 0, integer: true }),
    host: need(v, "host"),
    dropEverySec: num(v, "drop-every", { min: 0 }),
    malformedEvery: num(v, "malformed-every", { min: 0, integer: true }),
    throttleEvery: num(v, "throttle-every", { min: 0, integer: true }),
    stallEverySec: num(v, "stall-every", { min: 0 }),
  };
  if (sim.port > 65535) throw new ConfigError(`--port: '${sim.port}' is not a port (0-65535)`);
  return sim;
}

export interface ExportConfig extends CommonConfig {
  pair: string;
  window: Window;
  from: number | undefined;
  to: number | undefined;
  format: "csv" | "jsonl";
  out: string;
}

export function exportConfig(args: readonly string[], env: Env = denoEnv): ExportConfig {
  const v = parseFlags("features export", args, env);
  const c = common(v);
  if (c.help) return { ...c, pair: "", window: "1m", from: undefined, to: undefined, format: "csv", out: "" };
  return {
    ...c,
    pair: pairs(v, "pair")[0] as string,
    window: oneWindow(v),
    from: time(v, "from"),
    to: time(v, "to"),
    format: format(v, ["csv", "jsonl"] as const) ?? "csv",
    out: need(v, "out", " (a file, or - for stdout)"),
  };
}

export interface TailConfig extends CommonConfig {
  pair: string;
  window: Window;
  n: number;
}

export function tailConfig(args: readonly string[], env: Env = denoEnv): TailConfig {
  const v = parseFlags("features tail", args, env);
  const c = common(v);
  if (c.help) return { ...c, pair: "", window: "1m", n: 0 };
  return {
    ...c,
    pair: pairs(v, "pair")[0] as string,
    window: oneWindow(v),
    n: num(v, "n", { min: 1, integer: true }),
  };
}

export interface NewsConfig extends CommonConfig {
  file: string | undefined;
  skipBadLines: boolean;
  apiUrl: string;
  /** From CRYPTOPANIC_TOKEN only: a flag would end up in shell history and process lists. */
  token: string | undefined;
  currencies: string[] | undefined;
  pollMs: number;
  backfillPages: number;
  apiRate: number;
  newsModel: string;
  batch: number;
}

export function newsConfig(args: readonly string[], env: Env = denoEnv): NewsConfig {
  const v = parseFlags("news", args, env);
  const c = common(v);
  const apiUrl = need(v, "api-url");
  if (!/^https?:\/\//.test(apiUrl)) throw new ConfigError(`--api-url: '${apiUrl}' is not an http(s) URL`);
  const currencies = str(v, "currencies")?.split(",").map((x) => x.trim().toUpperCase()).filter(Boolean);
  for (const cur of currencies ?? []) {
    if (!/^[A-Z0-9]{2,10}$/.test(cur)) throw new ConfigError(`--currencies: '${cur}' is not a ticker`);
  }
  const file = str(v, "file");
  const token = env("CRYPTOPANIC_TOKEN") || undefined;
  if (!c.help && file === undefined && token === undefined) {
    throw new ConfigError(
      "set CRYPTOPANIC_TOKEN to read the CryptoPanic API, or pass --file to classify a history file",
    );
  }
  return {
    ...c,
    file,
    skipBadLines: v["skip-bad-lines"] === true,
    apiUrl,
    token,
    currencies: currencies?.length ? currencies : undefined,
    pollMs: num(v, "poll", { positive: true }) * 1000,
    backfillPages: num(v, "backfill-pages", { min: 0, integer: true }),
    apiRate: num(v, "api-rate", { positive: true }),
    newsModel: need(v, "news-model"),
    batch: num(v, "batch", { min: 1, integer: true }),
  };
}

export interface DistillConfig extends CommonConfig {
  data: string[];
  out: string;
  testFraction: number;
  minCount: number;
  epochs: number;
  keepWorse: boolean;
  json: boolean;
}

export function distillConfig(args: readonly string[], env: Env = denoEnv): DistillConfig {
  const v = parseFlags("news:distill", args, env);
  const c = common(v);
  const data = c.help ? [] : need(v, "data", " (teacher-labelled JSONL, e.g. ../shared/data/signals/*.jsonl)")
    .split(",").map((x) => x.trim()).filter(Boolean);
  const testFraction = num(v, "test-fraction", { positive: true });
  if (testFraction >= 1) throw new ConfigError(`--test-fraction: '${testFraction}' must be below 1`);
  return {
    ...c,
    data,
    out: str(v, "out") ?? `${c.modelsDir}/news-distilled`,
    testFraction,
    minCount: num(v, "min-count", { min: 1, integer: true }),
    epochs: num(v, "epochs", { min: 1, integer: true }),
    keepWorse: v["keep-worse"] === true,
    json: v.json === true,
  };
}

export const MODEL_CHOICES = ["auto", "gbdt", "ridge"] as const;

export interface TrainConfig extends CommonConfig {
  pair: string;
  window: Window;
  horizon: number;
  model: typeof MODEL_CHOICES[number];
  folds: number;
  budget: number;
  seed: number;
  embargo: number | undefined;
  withPairs: string[];
  json: boolean;
}

export function trainConfig(args: readonly string[], env: Env = denoEnv): TrainConfig {
  const v = parseFlags("train", args, env);
  const c = common(v);
  const model = need(v, "model");
  if (!(MODEL_CHOICES as readonly string[]).includes(model)) {
    throw new ConfigError(`--model: '${model}' is not one of ${MODEL_CHOICES.join(", ")}`);
  }
  const base = {
    ...c,
    window: oneWindow(v),
    horizon: num(v, "horizon", { min: 1, integer: true }),
    model: model as TrainConfig["model"],
    folds: num(v, "folds", { min: 1, integer: true }),
    budget: num(v, "budget", { min: 1, integer: true }),
    seed: num(v, "seed", { min: 0, integer: true }),
    embargo: str(v, "embargo") === undefined ? undefined : num(v, "embargo", { min: 0, integer: true }),
    json: v.json === true,
  };
  if (c.help) return { ...base, pair: "", withPairs: [] };
  const pair = pairs(v, "pair")[0] as string;
  const withPairs = str(v, "with-pairs") ? pairs(v, "with-pairs").filter((p) => p !== pair) : [];
  return { ...base, pair, withPairs };
}

export interface ModelsConfig extends CommonConfig {
  name: string | undefined;
  version: string | undefined;
  reason: string;
}

export function modelsConfig(args: readonly string[], env: Env = denoEnv): ModelsConfig {
  const v = parseFlags("models", args, env);
  const version = str(v, "version");
  if (version !== undefined && !/^v\d+$/.test(version)) {
    throw new ConfigError(`--version: '${version}' is not a version such as v0003`);
  }
  return { ...common(v), name: str(v, "name"), version, reason: need(v, "reason") };
}

export interface ServeConfig extends CommonConfig {
  port: number;
  host: string;
  pairs: string[];
  window: Window;
  horizon: number;
  maxFeatureAgeS: number | undefined;
  corsOrigins: string[] | undefined;
  modelRefreshMs: number;
}

export function serveConfig(args: readonly string[], env: Env = denoEnv): ServeConfig {
  const v = parseFlags("serve", args, env);
  const port = portOf(v);
  const cors = str(v, "cors")?.split(",").map((x) => x.trim()).filter(Boolean);
  return {
    ...common(v),
    port,
    host: need(v, "host"),
    pairs: pairs(v, "pairs"),
    window: oneWindow(v),
    horizon: num(v, "horizon", { min: 1, integer: true }),
    maxFeatureAgeS: str(v, "max-feature-age") === undefined
      ? undefined
      : num(v, "max-feature-age", { min: 0 }),
    corsOrigins: cors?.length ? cors : undefined,
    modelRefreshMs: num(v, "model-refresh", { positive: true }) * 1000,
  };
}

/** `90m`, `12h`, `2d` (or plain seconds) → ms. */
function duration(v: Values, name: string): number {
  const raw = need(v, name);
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)?$/.exec(raw);
  if (!m) throw new ConfigError(`--${name}: '${raw}' is not a duration such as 90m, 12h or 2d`);
  const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[(m[2] ?? "s") as "s"];
  const ms = Number(m[1]) * unit;
  if (!(ms > 0)) throw new ConfigError(`--${name}: must be positive`);
  return ms;
}

export interface StartConfig extends CommonConfig, FeatureConfig {
  pairs: string[];
  horizon: number;
  port: number;
  host: string;
  historyMs: number;
  minRows: number;
  trainBudget: number;
  maxFeatureAgeS: number | undefined;
  wsUrl: string;
  restUrl: string;
  restRate: number;
  wsTimeoutMs: number;
  news: { token: string; apiUrl: string; model: string; pollMs: number } | undefined;
}

export function startConfig(args: readonly string[], env: Env = denoEnv): StartConfig {
  const v = parseFlags("start", args, env);
  const port = portOf(v);
  const token = env("CRYPTOPANIC_TOKEN") || undefined;
  return {
    ...common(v),
    ...features(v),
    pairs: pairs(v, "pairs"),
    horizon: num(v, "horizon", { min: 1, integer: true }),
    port,
    host: need(v, "host"),
    historyMs: duration(v, "history"),
    minRows: num(v, "min-rows", { min: 100, integer: true }),
    trainBudget: num(v, "train-budget", { min: 1, integer: true }),
    maxFeatureAgeS: str(v, "max-feature-age") === undefined
      ? undefined
      : num(v, "max-feature-age", { min: 0 }),
    wsUrl: url(v, "ws-url", ["ws:", "wss:"]),
    restUrl: url(v, "rest-url", ["http:", "https:"]),
    restRate: num(v, "rest-rate", { positive: true }),
    wsTimeoutMs: num(v, "ws-timeout", { positive: true }) * 1000,
    news: token
      ? {
        token,
        apiUrl: url(v, "api-url", ["http:", "https:"]),
        model: need(v, "news-model"),
        pollMs: num(v, "poll", { positive: true }) * 1000,
      }
      : undefined,
  };
}

export interface DemoConfig extends CommonConfig {
  file: string | undefined;
  format: TradeFormat | undefined;
  pairs: string[];
  minutes: number;
  historyMs: number;
  speed: number;
  horizon: number;
  port: number;
  minRows: number;
  trainBudget: number;
}

export function demoConfig(args: readonly string[], env: Env = denoEnv): DemoConfig {
  const v = parseFlags("demo", args, env);
  const port = portOf(v);
  return {
    dataDir: need(v, "data-dir"),
    modelsDir: need(v, "models-dir"),
    logLevel: level(v),
    help: v.help === true,
    file: str(v, "file"),
    format: format(v, TRADE_FORMATS),
    pairs: pairs(v, "pairs"),
    minutes: num(v, "minutes", { min: 120, integer: true }),
    historyMs: duration(v, "history"),
    speed: num(v, "speed", { positive: true }),
    horizon: num(v, "horizon", { min: 1, integer: true }),
    port,
    minRows: num(v, "min-rows", { min: 100, integer: true }),
    trainBudget: num(v, "train-budget", { min: 1, integer: true }),
  };
}
