/**
 * `deno task news:label`: headlines labelled by an LLM teacher into the instruction-dataset JSONL
 * that `news:distill` reads.
 */
import { resolve } from "node:path";
import { type LlmSettings, parseLlmSpec } from "../news_model/llm/llm_settings.ts";
import { ConfigError } from "./config_error.ts";
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { COMMON, llmSettings, NEWS_LLM } from "./shared.ts";

export const LABEL_FLAGS = {
  logLevel: COMMON.logLevel,
  file: flag.string("file", {
    required: " (a news file: CryptoPanic JSON or CSV, or JSONL)",
    help: "the headlines to label: any file `news --file` reads (.gz is unpacked)",
  }),
  skipBadLines: flag.boolean("skip-bad-lines", {
    help: "count and skip malformed file entries instead of failing",
  }),
  // Text like every task's --news-model; which kinds of model it may name is checked below.
  newsModel: flag.string("news-model", {
    required: " (ollama:MODEL or openai:MODEL)",
    help: "the teacher LLM: ollama:MODEL (e.g. ollama:llama3.2) or openai:MODEL",
  }),
  out: flag.string("out", {
    required: " (the labels JSONL to write)",
    help: "labels JSONL, appended to: headlines whose id it holds already are skipped",
  }),
  errors: flag.string("errors", {
    help: "JSONL where headlines the LLM could not label are recorded (default: OUT.errors.jsonl)",
  }),
  limit: flag.number("limit", { min: 1, integer: true, help: "label at most this many new headlines" }),
  ...NEWS_LLM,
};

export interface LabelConfig extends Parsed<typeof LABEL_FLAGS> {
  errors: string;
  llm: LlmSettings;
}

export function labelConfig(args: readonly string[], env: Env = denoEnv): LabelConfig {
  const c = parseFlags(LABEL_FLAGS, args, env);
  let spec;
  try {
    spec = parseLlmSpec(c.newsModel);
  } catch (e) {
    throw new ConfigError(`--news-model: ${(e as Error).message}`, { cause: e });
  }
  if (spec === undefined) {
    throw new ConfigError(
      `--news-model: '${c.newsModel}' is not ollama:MODEL or openai:MODEL (an LLM labels)`,
    );
  }
  const errors = c.errors ?? `${c.out.replace(/\.jsonl$/, "")}.errors.jsonl`;
  const same = (a: string, b: string) => resolve(a) === resolve(b);
  if (same(errors, c.out)) throw new ConfigError("--errors must name another file than --out");
  if (same(c.out, c.file)) throw new ConfigError("--out names the --file being labelled: give another file");
  if (same(errors, c.file)) {
    throw new ConfigError("--errors names the --file being labelled: give another file");
  }
  return { ...c, errors, llm: llmSettings(c, env) };
}
