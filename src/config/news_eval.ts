/** `deno task news:eval`: any news model scored on teacher-labelled headlines, beside two baselines. */
import type { LlmSettings } from "../news_model/llm/llm_settings.ts";
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { joinRepeated } from "./repeated_flag.ts";
import { checkLlmFlags, COMMON, llmSettings, NEWS_LLM, refuseTyped } from "./shared.ts";

export const EVAL_SPLITS = ["all", "heldout", "train"] as const;

export const EVAL_FLAGS = {
  ...COMMON,
  data: flag.list("data", {
    required: " (labelled JSONL in the teacher format, e.g. ../shared/data/signals/*.jsonl)",
    help: "labelled JSONL file(s) in the teacher format (.jsonl or .jsonl.gz), comma separated or repeated",
  }),
  newsModel: flag.string("news-model", {
    env: "NEWS_MODEL",
    required: " (a model directory, a Hugging Face id, ollama:MODEL, openai:MODEL or lexicon)",
    help: "the model to score: a transformers.js directory or hub id, ollama:MODEL, openai:MODEL, or lexicon",
  }),
  split: flag.oneOf("split", EVAL_SPLITS, {
    default: "all",
    help: "all headlines, or heldout: those news:distill holds back (at --test-fraction), or train: the rest",
  }),
  testFraction: flag.number("test-fraction", {
    positive: true,
    below: 1,
    default: "0.2",
    help: "the held-back share news:distill used (its --test-fraction)",
  }),
  rawLabels: flag.boolean("raw-labels", {
    help: "score against the labels as written, without reconciling the teachers' habits",
  }),
  resamples: flag.number("resamples", {
    min: 100,
    integer: true,
    default: "2000",
    help: "bootstrap resamples of the gains' intervals",
  }),
  seed: flag.number("seed", { min: 0, integer: true, default: "1", help: "seed of the bootstrap" }),
  batch: flag.number("batch", {
    min: 1,
    integer: true,
    default: "64",
    help: "headlines classified together",
  }),
  json: flag.boolean("json", { help: "print one JSON document (for tools) instead of tables" }),
  ...NEWS_LLM,
};

export interface EvalConfig extends Parsed<typeof EVAL_FLAGS> {
  llm: LlmSettings;
}

export function evalConfig(args: readonly string[], env: Env = denoEnv): EvalConfig {
  const c = parseFlags(EVAL_FLAGS, joinRepeated(args, "data"), env);
  checkLlmFlags(args, c.newsModel);
  // The held-back share only picks the heldout and train splits' headlines.
  if (c.split === "all") refuseTyped(args, ["test-fraction"], "for --split heldout or train");
  return { ...c, llm: llmSettings(c, env) };
}
