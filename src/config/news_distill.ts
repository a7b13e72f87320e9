/** `deno task news:distill`: a small news classifier trained on teacher-labelled headlines. */
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { joinRepeated } from "./repeated_flag.ts";
import { COMMON } from "./shared.ts";

export const DISTILL_FLAGS = {
  ...COMMON,
  data: flag.list("data", {
    required: " (teacher-labelled JSONL, e.g. ../shared/data/signals/*.jsonl)",
    help: "teacher-labelled JSONL file(s) (.jsonl or .jsonl.gz), comma separated or the flag repeated",
  }),
  out: flag.string("out", { help: "model directory to write (default: <models-dir>/news-distilled)" }),
  testFraction: flag.number("test-fraction", {
    positive: true,
    below: 1,
    default: "0.2",
    help: "share of headlines held out for the report",
  }),
  minCount: flag.number("min-count", {
    min: 1,
    integer: true,
    default: "2",
    help: "training headlines a word needs to enter the vocabulary",
  }),
  bigramMinCount: flag.number("bigram-min-count", {
    min: 0,
    integer: true,
    default: "0",
    help: "training headlines a word pair needs to get a weight (0: no bigrams)",
  }),
  negationWindow: flag.number("negation-window", {
    min: 0,
    integer: true,
    default: "3",
    help: "words after not/no/never... read as negated (0: no negation)",
  }),
  keepDigits: flag.boolean("keep-digits", {
    help: "read numbers as written, not as their shape (26M as 0m)",
  }),
  epochs: flag.number("epochs", {
    min: 1,
    integer: true,
    default: "300",
    help: "full-batch training epochs",
  }),
  keepWorse: flag.boolean("keep-worse", { help: "write the model even when a baseline beats it" }),
  json: flag.boolean("json", { help: "print the report as JSON" }),
};

export interface DistillConfig extends Parsed<typeof DISTILL_FLAGS> {
  out: string;
}

export function distillConfig(args: readonly string[], env: Env = denoEnv): DistillConfig {
  const c = parseFlags(DISTILL_FLAGS, joinRepeated(args, "data"), env);
  return { ...c, out: c.out ?? `${c.modelsDir}/news-distilled` };
}
