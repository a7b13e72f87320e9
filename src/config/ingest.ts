/** `deno task ingest`: live trades through candles and indicators into the stores. */
import type { Window } from "../domain/candle.ts";
import { ConfigError } from "./config_error.ts";
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import {
  BUS,
  checkBus,
  checkEmbedded,
  checkSourceless,
  COMMON,
  FEATURES,
  HORIZON,
  KRAKEN_REST,
  KRAKEN_WS,
  PREDICT_FROM,
  RECORD,
  refuseTyped,
} from "./shared.ts";

export const INGEST_FLAGS = {
  ...COMMON,
  ...KRAKEN_REST,
  record: RECORD,
  ...FEATURES,
  ...BUS,
  pairs: flag.pairs("pairs", { default: "BTC/USD,ETH/USD", help: "pairs to follow, comma separated" }),
  from: flag.time("from", { help: "on a first run, catch up through REST from this time" }),
  ...KRAKEN_WS,
  statsEveryMs: flag.seconds("stats-every", {
    positive: true,
    default: "10",
    help: "seconds between progress lines",
  }),
  predictWindow: flag.window("predict-window", {
    help: "window predictions are made on (default: the smallest)",
  }),
  horizon: HORIZON.with({ help: "candles ahead the served model predicts" }),
  predictFrom: PREDICT_FROM,
};

export interface IngestConfig extends Parsed<typeof INGEST_FLAGS> {
  predictWindow: Window;
}

/** What only the stage that reads Kraken (`trades`, `all`) reads. */
const SOURCE_FLAGS = [
  "pairs",
  "from",
  "ws-url",
  "ws-timeout",
  "rest-url",
  "rest-rate",
  "record",
  "stats-every",
];

export function ingestConfig(args: readonly string[], env: Env = denoEnv): IngestConfig {
  const c = parseFlags(INGEST_FLAGS, args, env);
  checkBus(c);
  checkEmbedded(args, c.bus);
  if (c.bus === "kafka" && c.stage !== "trades" && c.stage !== "all") {
    // The predict stage loads the models of --pairs.
    checkSourceless(
      args,
      c.stage,
      c.stage === "predict" ? SOURCE_FLAGS.filter((n) => n !== "pairs") : SOURCE_FLAGS,
    );
  }
  // Over Kafka only the predict stage predicts; --stage all runs the others.
  if (c.bus === "kafka" && c.stage !== "predict") {
    refuseTyped(args, ["predict-window", "horizon"], `--stage ${c.stage} over Kafka makes no predictions`);
  }
  const predictWindow = c.predictWindow ?? c.windows[0]!;
  if (!c.windows.includes(predictWindow)) {
    throw new ConfigError(
      `--predict-window: '${predictWindow}' is not one of the --windows (${c.windows.join(", ")})`,
    );
  }
  return { ...c, predictWindow };
}
