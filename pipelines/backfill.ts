/**
 * `deno task backfill`: history through the same candles and indicators as live ingest, into
 * both stores. From Kraken REST between `--from` and `--to`, resumable from its checkpoint; or
 * from a trade file or a candle file (`--file`), a candle file resumable too. Each input's
 * pipeline is in src/jobs/ (backfill_rest.ts, backfill_trade_file.ts, backfill_candle_file.ts).
 */
import {
  backfillConfig,
  checkDirFlag,
  checkInputFile,
  checkNotAStore,
  checkOutputFile,
  ConfigError,
  sameFile,
} from "../src/config.ts";
import { consumersOnly, runConsumersOnly } from "../src/bus/bus.ts";
import { backfillCandleFile } from "../src/jobs/backfill_candle_file.ts";
import { backfillFileFormat } from "../src/jobs/backfill_file_format.ts";
import { backfillFromRest } from "../src/jobs/backfill_rest.ts";
import { backfillTradeFile } from "../src/jobs/backfill_trade_file.ts";
import { CANDLE_FORMATS, type CandleFormat } from "../src/sources/files/candle_formats.ts";
import { DamagedFileError } from "../src/sources/files/gunzip.ts";
import { firstLine, headLines } from "../src/sources/files/trade_file.ts";
import type { TradeFormat } from "../src/sources/files/trade_formats.ts";
import { openFeatureStores } from "../src/stores/feature_stores.ts";
import { claimMarket, exchangeMarket, heldMarket } from "../src/stores/market_file.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("backfill", async ({ signal }) => {
  const cfg = backfillConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const log = logger("backfill");
  if (consumersOnly(cfg)) {
    await runConsumersOnly(cfg, () => openFeatureStores(cfg.dataDir), logger("bus"), signal);
    return 0;
  }
  await checkDirFlag("data-dir", cfg.dataDir);
  if (cfg.record !== undefined) {
    await checkOutputFile("record", cfg.record);
    await checkNotAStore("record", cfg.record, cfg.dataDir);
  }
  if (cfg.file === undefined) {
    // An exchange's history is that exchange's market, as live ingest's is.
    await claimMarket(cfg.dataDir, exchangeMarket(cfg.restUrl));
    return await backfillFromRest(cfg, log, signal);
  }
  await checkInputFile("file", cfg.file);
  if (cfg.record !== undefined && await sameFile(cfg.record, cfg.file)) {
    throw new ConfigError(`--record ${cfg.record} is the --file being read; give another --record`);
  }
  // A file does not say which market it is: a data dir that holds one is told what it is getting.
  const held = await heldMarket(cfg.dataDir);
  if (held !== null) {
    log.warn(
      `--data-dir ${cfg.dataDir} holds ${held.description} (${held.from}): the rows of ${cfg.file} go in as that ` +
        `market's. If the file is not that market's history (a replay, a synthetic market, another ` +
        `exchange), stop now and give it its own --data-dir.`,
    );
  }
  try {
    const file = cfg.file;
    // A pipe cannot be read twice, so only a regular file is checked against --format.
    const reread = (await Deno.stat(file)).isFile ? () => headLines(file, 2) : undefined;
    const format = await backfillFileFormat(file, cfg.format, () => firstLine(file), cfg.pairs, reread);
    if ((CANDLE_FORMATS as readonly string[]).includes(format)) {
      if (cfg.bus === "kafka") {
        throw new ConfigError("candle files load through the embedded pipeline; drop --bus kafka");
      }
      if (cfg.record !== undefined) {
        throw new ConfigError(
          `--record: ${cfg.file} holds candles (${format}), no trades to record`,
        );
      }
      return await backfillCandleFile(cfg, cfg.file, format as CandleFormat, log, signal);
    }
    return await backfillTradeFile(cfg, cfg.file, format as TradeFormat, log, signal);
  } catch (e) {
    if (e instanceof DamagedFileError) throw new Error(`--file: ${e.message}`, { cause: e });
    throw e;
  }
});
