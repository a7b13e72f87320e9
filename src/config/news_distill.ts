/** `deno task news:distill`: a small news classifier trained on teacher-labelled headlines. */
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { COMMON } from "./shared.ts";

export const DISTILL_FLAGS = {
  ...COMMON,
  data: flag.list("data", {
    required: " (teacher-labelled JSONL, e.g. ../shared/data/signals/*.jsonl)",
    help: "teacher-labelled JSONL file(s) (.jsonl or .jsonl.gz), comma separated",
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
  const c = parseFlags(DISTILL_FLAGS, args, env);
  return { ...c, out: c.out ?? `${c.modelsDir}/news-distilled` };
}
