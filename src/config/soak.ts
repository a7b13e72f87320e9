/** `deno task soak`: a long replay with faults into ingest, compared with a clean backfill. */
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { COMMON } from "./shared.ts";

export const SOAK_FLAGS = {
  // It works in a temporary directory of its own: no data or models dir.
  logLevel: COMMON.logLevel,
  durationMs: flag.duration("duration", {
    min: "10s",
    default: "60",
    help: "how long the soak should take (seconds, or e.g. 5m)",
  }),
  file: flag.string("file", { help: "the trade file to replay (default: a synthetic market)" }),
  minutes: flag.number("minutes", {
    min: 60,
    integer: true,
    default: "720",
    help: "minutes of synthetic market",
  }),
  json: flag.boolean("json", { help: "print the report as JSON" }),
  keep: flag.boolean("keep", { help: "keep the working directory" }),
};

export type SoakConfig = Parsed<typeof SOAK_FLAGS>;

export function soakConfig(args: readonly string[], env: Env = denoEnv): SoakConfig {
  return parseFlags(SOAK_FLAGS, args, env);
}
