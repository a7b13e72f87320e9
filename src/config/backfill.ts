/** `deno task backfill`: Kraken REST history, or a trade or candle file, through the same transforms. */
import { CANDLE_FORMATS, type CandleFormat } from "../sources/files/candle_formats.ts";
import { TRADE_FORMATS, type TradeFormat } from "../sources/files/trade_formats.ts";
import { ConfigError } from "./config_error.ts";
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import {
  BUS,
  checkBus,
  checkEmbedded,
  checkRange,
  checkSourceless,
  COMMON,
  FEATURES,
  KRAKEN_REST,
  RECORD,
  refuseTyped,
} from "./shared.ts";

export const FILE_FORMATS = [...TRADE_FORMATS, ...CANDLE_FORMATS] as const;
export type FileFormat = TradeFormat | CandleFormat;

export const BACKFILL_FLAGS = {
  ...COMMON,
  ...KRAKEN_REST,
  record: RECORD,
  ...FEATURES,
  ...BUS,
  pairs: flag.pairs("pairs", {
    help: "pairs to backfill, comma separated; required for REST and for a file that names no pair",
  }),
  from: flag.time("from", { help: "start time (ISO 8601 or epoch ms); required for REST, filters a file" }),
  to: flag.time("to", { help: "end time, exclusive (default: the exchange's latest trade)" }),
  file: flag.string("file", { help: "read a trade or candle history file instead of REST" }),
  format: flag.oneOf("format", FILE_FORMATS, {
    help: `file format: ${FILE_FORMATS.join(", ")} (default: detected)`,
  }),
  skipBadLines: flag.boolean("skip-bad-lines", {
    help: "count and skip malformed file lines instead of failing",
  }),
  restart: flag.boolean("restart", { help: "ignore the checkpoint of this backfill and start over" }),
};

export interface BackfillConfig extends Parsed<typeof BACKFILL_FLAGS> {
  /** Empty for a file that names its pairs, and for a stage that reads the bus. */
  pairs: string[];
}

/** What only the stage that reads the history (`trades`, `all`) reads. */
const SOURCE_FLAGS = [
  "pairs",
  "from",
  "to",
  "file",
  "format",
  "skip-bad-lines",
  "restart",
  "record",
  "rest-url",
  "rest-rate",
];

export function backfillConfig(args: readonly string[], env: Env = denoEnv): BackfillConfig {
  const c = parseFlags(BACKFILL_FLAGS, args, env);
  checkBus(c);
  checkEmbedded(args, c.bus);
  if (c.stage === "predict") {
    throw new ConfigError("--stage predict runs under `deno task ingest`: a backfill predicts nothing");
  }
  // The candles and features stages read the bus, not a source.
  const sourceless = c.bus === "kafka" && (c.stage === "candles" || c.stage === "features");
  if (sourceless) checkSourceless(args, c.stage, SOURCE_FLAGS);
  if (c.file === undefined) refuseTyped(args, ["format", "skip-bad-lines"], "these read a --file");
  else refuseTyped(args, ["rest-url", "rest-rate"], "--file is read instead of REST");
  if (c.file === undefined && !sourceless) {
    if (c.pairs === undefined) throw new ConfigError("--pairs is required");
    if (c.from === undefined) throw new ConfigError("--from is required (or give --file)");
  }
  checkRange(c);
  return { ...c, pairs: c.pairs ?? [] };
}
