/** `deno task demo`: the system offline, against the simulator replaying a generated or given file. */
import { ConfigError } from "./config_error.ts";
import { flag } from "./flag.ts";
import { LOOP } from "./loop.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { COLD_START, COMMON, HORIZON, HTTP_PORT, TRADE_FORMAT } from "./shared.ts";

export const DEMO_FLAGS = {
  // Its own directories, so a demo never mixes its synthetic market into real data.
  dataDir: COMMON.dataDir.with({
    env: "DEMO_DATA_DIR",
    default: "./data/demo",
    help: "where the demo's stores live",
  }),
  modelsDir: COMMON.modelsDir.with({
    env: "DEMO_MODELS_DIR",
    default: "./models/demo",
    help: "the demo's registry",
  }),
  logLevel: COMMON.logLevel,
  file: flag.string("file", {
    help: "trade file to replay (default: a synthetic market generated in the data dir)",
  }),
  format: TRADE_FORMAT,
  pairs: flag.pairs("pairs", {
    default: "BTC/USD,ETH/USD",
    help: "pairs of the synthetic market (or of a kraken-trades file)",
  }),
  minutes: flag.number("minutes", {
    min: 120,
    integer: true,
    default: "2880",
    help: "length of the synthetic market, minutes",
  }),
  historyMs: flag.duration("history", {
    default: "1d",
    help: "the first part of the file served as history (REST)",
  }),
  speed: flag.number("speed", {
    positive: true,
    default: "60",
    help: "simulated seconds per real second after the history",
  }),
  regimeChangeMs: flag.duration("regime-change", {
    help: "synthetic market: its momentum turns to mean reversion this far into it (e.g. 30h)",
  }),
  badModelAtMs: flag.duration("bad-model-at", {
    help: "this far into the replay, promote a deliberately biased model, to watch the loop demote it",
  }),
  horizon: HORIZON,
  port: HTTP_PORT,
  ...COLD_START,
  ...LOOP,
};

export type DemoConfig = Parsed<typeof DEMO_FLAGS>;

export function demoConfig(args: readonly string[], env: Env = denoEnv): DemoConfig {
  const c = parseFlags(DEMO_FLAGS, args, env);
  // Either would be ignored without a word: the drill the flag asks for never happens.
  if (c.regimeChangeMs !== undefined && c.file !== undefined) {
    throw new ConfigError("--regime-change shapes the synthetic market: it does not apply to a --file");
  }
  if (c.regimeChangeMs !== undefined && Math.round(c.regimeChangeMs / 60_000) >= c.minutes) {
    throw new ConfigError(
      `--regime-change ${Math.round(c.regimeChangeMs / 60_000)}m is past the synthetic market's end ` +
        `(--minutes ${c.minutes}): its momentum would never turn`,
    );
  }
  return c;
}
