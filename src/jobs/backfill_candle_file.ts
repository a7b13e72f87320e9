/**
 * `backfill --file` of a candle file (OHLCVT, OHLC): its candles enter at the candle stage as
 * candles of the smallest window; bigger windows are merged from them. Checkpointed after every
 * batch, so a load killed mid-way resumes where it stopped and ends with the same table; a
 * complete load of the same file is done again from the start when asked again.
 */
import { resolve } from "node:path";
import { type BackfillConfig, ConfigError } from "../config.ts";
import { isoTime } from "../domain/time.ts";
import { candleFile } from "../sources/files/candle_file.ts";
import { BadLineError } from "../sources/files/parsed_file.ts";
import type { CandleFormat } from "../sources/files/candle_formats.ts";
import { CandleIntervalError, checkCandleInterval } from "../sources/files/candle_interval.ts";
import { candlesInRange } from "../sources/files/candle_range.ts";
import { candlesOfWindow } from "../sources/files/candle_window.ts";
import { candles } from "../stages/candles.ts";
import { cutBars } from "../stages/cut.ts";
import { indicators } from "../stages/indicators.ts";
import { persist } from "../stages/persist.ts";
import { openFeatureStores } from "../stores/feature_stores.ts";
import { openTradeJob, restoreFeatures } from "../stores/trade_job.ts";
import type { Logger } from "../util/log.ts";
import { streamHead } from "../util/stream_head.ts";
import { noteSpans, type RunSpans } from "../transforms/series_seams.ts";
import { heldSeries, logOfflineSummary, logSeams } from "./offline_summary.ts";

/** Resolves with the exit status: 0 when complete, 130 when interrupted (run again to resume). */
export async function backfillCandleFile(
  cfg: BackfillConfig,
  path: string,
  format: CandleFormat,
  log: Logger,
  signal: AbortSignal,
): Promise<number> {
  const pair = cfg.pairs[0];
  if (pair === undefined || cfg.pairs.length !== 1) {
    throw new ConfigError(
      `${path} is a ${format} file: the candles of one pair, which it does not name; ` +
        (pair === undefined
          ? "give that pair with --pairs"
          : `give only that pair with --pairs, not ${cfg.pairs.length}`),
    );
  }
  const window = cfg.windows[0]!;
  // Read on the 1m grid until the file's interval is told from its first candles, before the job
  // and the stores exist: a refused file leaves nothing behind.
  const file = await candleFile(path, { format, pair, window: "1m", skipBadLines: cfg.skipBadLines, log });
  const { head, stream } = await streamHead(file.stream, 50).catch((e) => {
    // A header that is not the format's says the file is not what --format (or detection) took it for.
    if (e instanceof BadLineError && e.line === 1 && format === "kraken-ohlc") {
      throw new ConfigError(e.message, { cause: e });
    }
    throw e;
  });
  try {
    checkCandleInterval(head.map((c) => c.window_start), cfg.windows);
  } catch (e) {
    await stream.cancel();
    if (e instanceof CandleIntervalError) throw new ConfigError(`${path}: ${e.message}`, { cause: e });
    throw e;
  }
  const onWindow = candlesOfWindow(window, { path, skipBadLines: cfg.skipBadLines, log });
  // The size is part of the job: a checkpoint never continues a file that has changed since.
  const { size } = await Deno.stat(path);
  const range = `${cfg.from === undefined ? "" : isoTime(cfg.from)}..${
    cfg.to === undefined ? "" : isoTime(cfg.to)
  }`;
  const name = `candles ${resolve(path)} ${size} ${pair} ${range} ${cfg.windows.join(",")}`;
  let job = await openTradeJob(cfg.dataDir, name, undefined, log, cfg.restart);
  if (job.state.done) job = await openTradeJob(cfg.dataDir, name, undefined, log, true);
  const written = job.state.pairs[pair]?.trades ?? 0;
  if (written > 0) log.info(`resuming from ${job.checkpoint.path} after ${written} candles`);
  const features = restoreFeatures(job, cfg.windows, cfg.graceMs);
  const source = candlesInRange(stream.pipeThrough(onWindow.stage), {
    from: cfg.from,
    to: cfg.to,
    skip: written,
  });
  // A resumed load continues its own series (its candle and indicator state are restored), so
  // only a load from the file's start can cut a series the store held before it.
  const held = written > 0 ? [] : await heldSeries(cfg), spans: RunSpans = new Map();
  const stores = await openFeatureStores(cfg.dataDir);
  let rows = 0;
  try {
    await source.pipeThrough(cutBars({ size: 5000, ms: 1000 }))
      .pipeThrough(candles(features.candles)).pipeThrough(indicators(features.indicators))
      .pipeTo(
        persist({
          stores,
          checkpoint: job.checkpoint,
          state: job.state,
          onFlush: (b) => {
            rows += b.rows.length;
            noteSpans(spans, b.rows);
          },
        }),
        { signal },
      );
  } catch (e) {
    if (!signal.aborted) throw e;
    log.warn(
      `interrupted after ${job.state.pairs[pair]?.trades ?? 0} candles; run the same command again to resume`,
    );
    return 130;
  } finally {
    stores.close();
  }
  job.state.done = true;
  await job.checkpoint.save(job.state);
  const late = features.candles.late;
  const bad = file.stats.badLines + onWindow.stats.skipped;
  log.info(
    `${path} (${format}, ${window} candles): ${file.stats.records} candles → ${rows} feature rows` +
      (written > 0 ? ` (after ${written} loaded before)` : "") +
      (late ? `, ${late} out-of-order candles skipped` : "") +
      (bad ? `, ${bad} bad lines skipped` : ""),
  );
  logSeams(held, spans, log, "candles");
  await logOfflineSummary(cfg, log);
  return 0;
}
