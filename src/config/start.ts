/** `deno task start`: the whole system in one process against Kraken. */
import { flag } from "./flag.ts";
import { LOOP } from "./loop.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import {
  checkLlmFlags,
  COLD_START,
  COMMON,
  cryptoPanicToken,
  FEATURES,
  HORIZON,
  HOST,
  HTTP_PORT,
  KRAKEN_REST,
  KRAKEN_WS,
  llmSettings,
  MAX_FEATURE_AGE,
  NEWS,
  refuseTyped,
} from "./shared.ts";
import type { LlmSettings } from "../news_model/llm/llm_settings.ts";

export const START_NOTES =
  "news: set CRYPTOPANIC_TOKEN to classify CryptoPanic posts (--news-model, --api-url, --poll)";

export const START_FLAGS = {
  ...COMMON,
  pairs: flag.pairs("pairs", { default: "BTC/USD,ETH/USD", help: "pairs to follow and predict" }),
  windows: FEATURES.windows.with({
    default: "1m",
    help: "candle windows; predictions are made on the first",
  }),
  graceMs: FEATURES.graceMs,
  horizon: HORIZON,
  port: HTTP_PORT,
  host: HOST,
  historyMs: flag.duration("history", {
    default: "1d",
    help: "cold start: history to load before the first model (e.g. 12h, 2d)",
  }),
  ...COLD_START,
  ...LOOP,
  maxFeatureAgeS: MAX_FEATURE_AGE,
  ...KRAKEN_WS,
  ...KRAKEN_REST,
  ...NEWS,
};

type News = Parsed<typeof NEWS>;
const NEWS_FLAGS = Object.values(NEWS).map((f) => f.name);

export interface StartConfig extends Omit<Parsed<typeof START_FLAGS>, keyof News> {
  /** Present when CRYPTOPANIC_TOKEN is set. */
  news: { token: string; apiUrl: string; model: string; pollMs: number; llm: LlmSettings } | undefined;
}

export function startConfig(args: readonly string[], env: Env = denoEnv): StartConfig {
  const { newsModel, apiUrl, pollMs, llmUrl, llmConcurrency, llmRate, llmTimeoutMs, ...c } = parseFlags(
    START_FLAGS,
    args,
    env,
  );
  const token = cryptoPanicToken(env);
  if (!token) refuseTyped(args, NEWS_FLAGS, "news runs only when CRYPTOPANIC_TOKEN is set");
  checkLlmFlags(args, newsModel);
  const llm = llmSettings({ llmUrl, llmConcurrency, llmRate, llmTimeoutMs }, env);
  return { ...c, news: token ? { token, apiUrl, model: newsModel, pollMs, llm } : undefined };
}
