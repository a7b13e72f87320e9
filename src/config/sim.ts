/** `deno task sim`: the local Kraken-compatible exchange, replaying a trade file with injected faults. */
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { COMMON, HOST, TRADE_FORMAT } from "./shared.ts";

export const SIM_FLAGS = {
  ...COMMON,
  file: flag.string("file", { required: true, help: "trade file to replay" }),
  format: TRADE_FORMAT,
  pairs: flag.pairs("pairs", { default: "BTC/USD", help: "the pair of a kraken-trades file" }),
  speed: flag.number("speed", { positive: true, default: "1", help: "simulated seconds per real second" }),
  port: flag.port("port", { default: "8787", help: "port to listen on (0: any free port)" }),
  host: HOST.with({ default: "127.0.0.1" }),
  dropEverySec: flag.number("drop-every", {
    min: 0,
    default: "0",
    help: "drop WS connections every S seconds",
  }),
  malformedEvery: flag.number("malformed-every", {
    min: 0,
    integer: true,
    default: "0",
    help: "send a malformed frame every N frames",
  }),
  throttleEvery: flag.number("throttle-every", {
    min: 0,
    integer: true,
    default: "0",
    help: "rate-limit every Nth REST call",
  }),
  stallEverySec: flag.number("stall-every", {
    min: 0,
    default: "0",
    help: "stall WS connections every S seconds",
  }),
};

export interface SimConfig extends Parsed<typeof SIM_FLAGS> {
  /** The pair a kraken-trades file is read as. */
  pair: string;
}

export function simConfig(args: readonly string[], env: Env = denoEnv): SimConfig {
  const c = parseFlags(SIM_FLAGS, args, env);
  return { ...c, pair: c.pairs[0]! };
}
