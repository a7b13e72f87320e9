/**
 * `deno task news`: CryptoPanic (or news files) through the signal classifier into the stores; with
 * `--bus kafka`, as stages over Kafka (`--stage headlines|signals|store|all`).
 */
import { ConfigError } from "./config_error.ts";
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import {
  BUS,
  checkEmbedded,
  checkLlmFlags,
  checkSourceless,
  COMMON,
  cryptoPanicToken,
  llmSettings,
  NEWS,
  NEWS_LLM,
  refuseTyped,
} from "./shared.ts";
import type { LlmSettings } from "../news_model/llm/llm_settings.ts";

/** What `news --help` says besides the flags: the subcommand that reads the store back. */
export const NEWS_COMMANDS =
  "commands: export --out FILE writes the classified headlines of the offline store (news export --help)";

/**
 * The subcommand `args` start with and the flags after it: `export`, or none (classify). A first
 * word that is no flag and no subcommand is a mistyped one, and is named as such.
 *
 * @example
 * ```ts
 * newsCommand(["export", "--out", "-"]); // ["export", ["--out", "-"]]
 * newsCommand(["--file", "n.json"]); // ["classify", ["--file", "n.json"]]
 * ```
 */
export function newsCommand(args: readonly string[]): ["export" | "classify", readonly string[]] {
  const [first, ...rest] = args;
  if (first === "export") return ["export", rest];
  if (first !== undefined && !first.startsWith("-")) {
    throw new ConfigError(`unknown command '${first}' (export; without one, news classifies headlines)`);
  }
  return ["classify", args];
}

/** The parts of `news` over the bus (src/bus/news_stages.ts). */
export const NEWS_STAGES = ["headlines", "signals", "store", "all"] as const;
export type NewsStage = typeof NEWS_STAGES[number];

export const NEWS_FLAGS = {
  ...COMMON,
  file: flag.string("file", {
    help: "classify a news history file (CryptoPanic JSON/CSV or JSONL) instead of the API",
  }),
  skipBadLines: flag.boolean("skip-bad-lines", {
    help: "count and skip malformed file entries instead of failing",
  }),
  apiUrl: NEWS.apiUrl,
  currencies: flag.list("currencies", {
    help: "only posts about these tickers, comma separated",
    item: (raw) => {
      const ticker = raw.toUpperCase();
      if (!/^[A-Z0-9]{2,10}$/.test(ticker)) throw new RangeError(`'${ticker}' is not a ticker`);
      return ticker;
    },
  }),
  pollMs: NEWS.pollMs,
  backfillPages: flag.number("backfill-pages", {
    min: 0,
    integer: true,
    default: "10",
    help: "API pages to follow back on the first poll, and at most on a later one",
  }),
  apiRate: flag.number("api-rate", { positive: true, default: "0.5", help: "API requests per second" }),
  newsModel: NEWS.newsModel,
  ...NEWS_LLM,
  batch: flag.number("batch", {
    min: 1,
    integer: true,
    default: "64",
    help: "headlines classified together",
  }),
  ...BUS,
  // The trade pipeline's stages are not news's: the same flag, with news's own parts.
  stage: flag.oneOf("stage", NEWS_STAGES, {
    default: "all",
    help: "with --bus kafka: headlines (publish), signals (classify), store (write) or all",
  }),
};

export interface NewsConfig extends Parsed<typeof NEWS_FLAGS> {
  token: string | undefined;
  llm: LlmSettings;
}

/** What only polling CryptoPanic reads. */
const API_FLAGS = ["api-url", "currencies", "poll", "backfill-pages", "api-rate"];
/** What only the stage that reads CryptoPanic or a file (`headlines`, `all`) reads. */
const SOURCE_FLAGS = ["file", "skip-bad-lines", ...API_FLAGS];

export function newsConfig(args: readonly string[], env: Env = denoEnv): NewsConfig {
  const c = parseFlags(NEWS_FLAGS, args, env);
  const token = cryptoPanicToken(env);
  if (c.bus === "embedded" && c.stage !== "all") throw new ConfigError("--stage needs --bus kafka");
  checkEmbedded(args, c.bus);
  // The signals and store stages read the bus, not a source.
  const sourceless = c.bus === "kafka" && (c.stage === "signals" || c.stage === "store");
  if (sourceless) checkSourceless(args, c.stage, SOURCE_FLAGS);
  checkLlmFlags(args, c.newsModel);
  if (c.file === undefined) refuseTyped(args, ["skip-bad-lines"], "it reads a --file");
  else refuseTyped(args, API_FLAGS, "--file is read instead of the CryptoPanic API");
  if (c.file === undefined && token === undefined && !sourceless) {
    throw new ConfigError(
      "set CRYPTOPANIC_TOKEN to read the CryptoPanic API, or pass --file to classify a history file",
    );
  }
  return {
    ...c,
    token,
    currencies: c.currencies?.length ? c.currencies : undefined,
    llm: llmSettings(c, env),
  };
}
