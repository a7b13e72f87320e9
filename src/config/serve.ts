/** `deno task serve`: the HTTP API and dashboard over the online store and the registry. */
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { BUS, checkEmbedded, COMMON, HORIZON, HOST, HTTP_PORT, MAX_FEATURE_AGE, WINDOW } from "./shared.ts";

export const SERVE_FLAGS = {
  ...COMMON,
  port: HTTP_PORT,
  host: HOST,
  pairs: flag.pairs("pairs", { default: "BTC/USD,ETH/USD", help: "pairs to serve, comma separated" }),
  window: WINDOW.with({ help: "the window predictions are made on" }),
  horizon: HORIZON.with({ help: "candles ahead (the model's horizon)" }),
  maxFeatureAgeS: MAX_FEATURE_AGE,
  corsOrigins: flag.list("cors", {
    env: "CORS_ORIGINS",
    help: "allowed CORS origins, comma separated (* for any)",
  }),
  modelRefreshMs: flag.seconds("model-refresh", {
    positive: true,
    default: "5",
    help: "seconds between checks for a newly promoted model",
  }),
  // Over Kafka, /metrics also shows where each stage stands (src/serve/bus_metrics.ts).
  bus: BUS.bus.with({
    help: "kafka: also show each bus stage's offsets, lag and checkpoint age in /metrics",
  }),
  brokers: BUS.brokers,
  topicPrefix: BUS.topicPrefix,
  busDeadlineMs: BUS.busDeadlineMs.with({
    default: "10",
    help: "with --bus kafka: seconds one read of the stages' status may wait before /metrics shows bus_up 0",
  }),
  busRefreshMs: flag.seconds("bus-refresh", {
    positive: true,
    default: "5",
    help: "with --bus kafka: seconds between reads of the stages' status",
  }),
};

export type ServeConfig = Parsed<typeof SERVE_FLAGS>;

export function serveConfig(args: readonly string[], env: Env = denoEnv): ServeConfig {
  const c = parseFlags(SERVE_FLAGS, args, env);
  checkEmbedded(args, c.bus);
  return { ...c, corsOrigins: c.corsOrigins?.length ? c.corsOrigins : undefined };
}
