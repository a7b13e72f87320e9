/** `deno task backtest`: the walk-forward out-of-sample predictions of a series replayed as a trading rule. */
import { ConfigError } from "./config_error.ts";
import { type Flag, flag } from "./flag.ts";
import { MODELS_FLAGS } from "./models.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { COMMON, HORIZON, otherPairsFlag, PAIR, WINDOW } from "./shared.ts";
import { MODEL_CHOICES, TRAIN_FLAGS } from "./train.ts";

const BPS = { min: 0, below: 10_000 } as const;

export const BACKTEST_FLAGS = {
  ...COMMON,
  pair: PAIR,
  window: WINDOW,
  horizon: HORIZON,
  version: MODELS_FLAGS.version.with({
    help:
      "replay this registered version's setting and store the result with it (default: train's choice, not stored)",
  }),
  feeBps: flag.number("fee-bps", { ...BPS, default: "26", help: "taker fee per side, basis points" }),
  slippageBps: flag.number("slippage-bps", {
    ...BPS,
    default: "2",
    help: "fill price moved against each trade from the next open, basis points",
  }),
  threshold: flag.custom("threshold", {
    default: "auto",
    help: "after-cost predicted return to trade on, basis points; auto: chosen per fold on earlier folds",
  }, (raw): number | "auto" => {
    if (raw === "auto") return raw;
    const bps = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(bps) || bps < 0) {
      throw new RangeError(`'${raw}' is not auto or a number of basis points >= 0`);
    }
    return bps;
  }),
  longOnly: flag.boolean("long-only", { help: "never go short" }),
  folds: flag.number("folds", {
    min: 1,
    integer: true,
    help: "walk-forward folds (default: the version's, else 5)",
  }),
  embargo: TRAIN_FLAGS.embargo.with({
    help: "candles between training and test rows (default: the version's, else the horizon)",
  }),
  // Declared without train's defaults, so that one given beside --version is seen and refused.
  model: flag.oneOf("model", MODEL_CHOICES, { help: "without --version: as for train (default: auto)" }),
  budget: flag.number("budget", {
    min: 1,
    integer: true,
    help: "without --version: settings the search tries, as for train (default: 20)",
  }),
  seed: flag.number("seed", {
    min: 0,
    integer: true,
    help: "without --version: seed of the search and the trees, as for train (default: 1)",
  }),
  withPairs: TRAIN_FLAGS.withPairs.with({ help: "without --version: other pairs' features, as for train" }),
  json: flag.boolean("json", { help: "print the result as JSON on stdout" }),
};

export interface BacktestConfig extends Parsed<typeof BACKTEST_FLAGS> {
  /** Never `--pair` itself. */
  withPairs: string[];
  model: typeof MODEL_CHOICES[number];
  budget: number;
  seed: number;
}

/** `train`'s value of a search flag backtest leaves unset. */
function trainDefault<T>(f: Flag<T>): T {
  return f.parse(f.default);
}

export function backtestConfig(args: readonly string[], env: Env = denoEnv): BacktestConfig {
  const c = parseFlags(BACKTEST_FLAGS, args, env);
  const search = (["model", "budget", "seed"] as const).filter((k) => c[k] !== undefined);
  if (c.version !== undefined && search.length > 0) {
    throw new ConfigError(
      `${search.map((k) => `--${k}`).join(", ")}: for a backtest without --version; ` +
        `--version ${c.version} replays that version's own setting`,
    );
  }
  return {
    ...c,
    withPairs: otherPairsFlag(c.pair, c.withPairs),
    model: c.model ?? trainDefault(TRAIN_FLAGS.model),
    budget: c.budget ?? trainDefault(TRAIN_FLAGS.budget),
    seed: c.seed ?? trainDefault(TRAIN_FLAGS.seed),
  };
}
