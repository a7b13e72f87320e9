/** `deno task features export|tail`: reading the offline store. */
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { checkRange, COMMON, PAIR, WINDOW } from "./shared.ts";

export const EXPORT_FLAGS = {
  ...COMMON,
  pair: PAIR,
  window: WINDOW,
  from: flag.time("from", { help: "first window start (ISO 8601 or epoch ms)" }),
  to: flag.time("to", { help: "end, exclusive" }),
  format: flag.oneOf("format", ["csv", "jsonl"], { default: "csv", help: "csv or jsonl" }),
  out: flag.string("out", { required: " (a file, or - for stdout)", help: "output file (- for stdout)" }),
};

export type ExportConfig = Parsed<typeof EXPORT_FLAGS>;

export function exportConfig(args: readonly string[], env: Env = denoEnv): ExportConfig {
  const c = parseFlags(EXPORT_FLAGS, args, env);
  checkRange(c);
  return c;
}

export const TAIL_FLAGS = {
  ...COMMON,
  pair: PAIR,
  window: WINDOW,
  n: flag.number("n", { min: 1, integer: true, default: "10", help: "how many rows" }),
};

export type TailConfig = Parsed<typeof TAIL_FLAGS>;

export function tailConfig(args: readonly string[], env: Env = denoEnv): TailConfig {
  return parseFlags(TAIL_FLAGS, args, env);
}
