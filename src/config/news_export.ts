/** `deno task news export`: every classified headline in the offline store, one row per coin. */
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { checkRange, COMMON } from "./shared.ts";

export const NEWS_EXPORT_FLAGS = {
  ...COMMON,
  out: flag.string("out", { required: " (a file, or - for stdout)", help: "output file (- for stdout)" }),
  format: flag.oneOf("format", ["csv", "jsonl"], { default: "csv", help: "csv or jsonl" }),
  from: flag.time("from", { help: "first publication time (ISO 8601 or epoch ms)" }),
  to: flag.time("to", { help: "last publication time, exclusive" }),
};

export type NewsExportConfig = Parsed<typeof NEWS_EXPORT_FLAGS>;

export function newsExportConfig(args: readonly string[], env: Env = denoEnv): NewsExportConfig {
  const c = parseFlags(NEWS_EXPORT_FLAGS, args, env);
  checkRange(c);
  return c;
}
