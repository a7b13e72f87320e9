/** `deno task bus status`: where each consumer stage on the Kafka bus stands, per partition. */
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { BUS, COMMON } from "./shared.ts";

export const BUS_STATUS_FLAGS = {
  ...COMMON,
  brokers: BUS.brokers,
  topicPrefix: BUS.topicPrefix,
  busDeadlineMs: BUS.busDeadlineMs.with({
    default: "10",
    help: "seconds to wait for the cluster before failing",
  }),
  json: flag.boolean("json", { help: "print JSON (one object per stage and partition) instead of a table" }),
};

export type BusStatusConfig = Parsed<typeof BUS_STATUS_FLAGS>;

export function busStatusConfig(args: readonly string[], env: Env = denoEnv): BusStatusConfig {
  return parseFlags(BUS_STATUS_FLAGS, args, env);
}
