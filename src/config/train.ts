/** `deno task train`: dataset, walk-forward evaluation, ONNX export and registry for one series. */
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { COMMON, HORIZON, otherPairsFlag, PAIR, WINDOW } from "./shared.ts";

export const MODEL_CHOICES = ["auto", "gbdt", "ridge"] as const;
export const SHRINK_CHOICES = ["auto", "off"] as const;

export const TRAIN_FLAGS = {
  ...COMMON,
  pair: PAIR,
  window: WINDOW,
  horizon: HORIZON,
  model: flag.oneOf("model", MODEL_CHOICES, {
    default: "auto",
    help: "auto (ridge and gbdt compete), gbdt or ridge",
  }),
  folds: flag.number("folds", { min: 1, integer: true, default: "5", help: "walk-forward folds" }),
  budget: flag.number("budget", {
    min: 1,
    integer: true,
    default: "20",
    help: "settings tried by the search",
  }),
  seed: flag.number("seed", {
    min: 0,
    integer: true,
    default: "1",
    help: "seed of the search and the trees",
  }),
  blend: flag.number("blend", {
    min: 1,
    integer: true,
    default: "20",
    help:
      "best settings averaged into the model (1: the single best; 20: every one the default budget searches)",
  }),
  shrink: flag.oneOf("shrink", SHRINK_CHOICES, {
    default: "auto",
    help: "auto (scale the forecast toward no change by a factor chosen on the training folds) or off",
  }),
  embargo: flag.number("embargo", {
    min: 0,
    integer: true,
    help: "candles between training and test rows (default and minimum: the horizon)",
  }),
  withPairs: flag.pairs("with-pairs", {
    help: "other pairs whose features (of the window before) join each row, comma separated",
  }),
  json: flag.boolean("json", { help: "print the report as JSON on stdout" }),
};

export interface TrainConfig extends Parsed<typeof TRAIN_FLAGS> {
  /** Never `--pair` itself. */
  withPairs: string[];
}

export function trainConfig(args: readonly string[], env: Env = denoEnv): TrainConfig {
  const c = parseFlags(TRAIN_FLAGS, args, env);
  return { ...c, withPairs: otherPairsFlag(c.pair, c.withPairs) };
}
