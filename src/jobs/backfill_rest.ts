/**
 * `backfill` from Kraken REST: the history of `--pairs` between `--from` and `--to` through the
 * feature pipeline, resumable from its checkpoint (which also says when it is complete).
 */
import type { BackfillConfig } from "../config.ts";
import { isoTime } from "../domain/time.ts";
import { KrakenRest } from "../sources/kraken/rest_client.ts";
import { restHistory } from "../sources/kraken/rest_history.ts";
import type { Cursor } from "../sources/kraken/rest_trades.ts";
import { lastTradeIds, openTradeJob, restoreFeatures } from "../stores/trade_job.ts";
import { type Logger, logger } from "../util/log.ts";
import { Progress } from "../util/progress.ts";
import { drainTrades } from "./drain_trades.ts";
import { heldSeries, logOfflineSummary, logSeams } from "./offline_summary.ts";
import { noteSpans, type RunSpans } from "../transforms/series_seams.ts";

/** Resolves with the exit status: 0 when complete, 130 when interrupted (run again to resume). */
export async function backfillFromRest(
  cfg: BackfillConfig,
  log: Logger,
  signal: AbortSignal,
): Promise<number> {
  const from = cfg.from as number;
  const range = `${isoTime(from)}..${cfg.to === undefined ? "" : isoTime(cfg.to)}`;
  // Read before the job is opened: it fails while another process holds the stores, and opening
  // the job would cut the record lines that process wrote since its last checkpoint.
  const stored = await heldSeries(cfg);
  const job = await openTradeJob(
    cfg.dataDir,
    `backfill ${cfg.restUrl} ${cfg.pairs.join(",")} ${range} ${cfg.windows.join(",")}`,
    cfg.record,
    log,
    cfg.restart,
  );
  if (job.state.done) {
    log.info(
      `backfill of ${cfg.pairs.join(", ")} ${range} is already complete (${job.checkpoint.path}); ` +
        `--restart redoes it`,
    );
    job.recorder?.close();
    return 0;
  }
  if (job.resumed) log.info(`resuming from ${job.checkpoint.path}`);
  // A resumed job goes on with its own state, so only a fresh one can cut a series the store holds.
  const held = job.resumed ? [] : stored, spans: RunSpans = new Map();
  const features = restoreFeatures(job, cfg.windows, cfg.graceMs);
  const rest = new KrakenRest({ baseUrl: cfg.restUrl, rate: cfg.restRate, log: logger("kraken-rest") });
  const cursors = new Map<string, Cursor>();
  for (const pair of cfg.pairs) {
    const saved = job.state.pairs[pair];
    cursors.set(pair, saved ? { ts: saved.ts, tradeId: saved.trade_id } : { ts: from, tradeId: null });
  }
  const progress = new Progress(`backfill`, log);
  const started = Date.now();
  let count = 0, rows = 0;
  const source = restHistory(rest, {
    pairs: cfg.pairs,
    cursors,
    to: cfg.to,
    signal,
    log,
    onPage: ({ pair, index, cursor, end, milestone }) =>
      progress.update({
        fraction: (index + (cursor.ts - from) / Math.max(1, end - from)) / cfg.pairs.length,
        detail: `${pair} ${isoTime(cursor.ts)} · ${count.toLocaleString("en-US")} trades · ${rows} rows`,
        rate: count / Math.max(0.001, (Date.now() - started) / 1000),
      }, milestone),
  });

  let interrupted = false;
  try {
    await drainTrades(cfg, source, {
      features,
      lastTradeId: lastTradeIds(job.state),
      batching: { observe: () => count++ },
      sink: {
        checkpoint: job.checkpoint,
        state: job.state,
        recorder: job.recorder,
        onFlush: (batch) => {
          rows += batch.rows.length;
          noteSpans(spans, batch.rows);
        },
      },
      signal,
    });
  } catch (e) {
    if (!signal.aborted) throw e;
    interrupted = true;
  } finally {
    progress.done();
    job.recorder?.close();
  }
  const seconds = (Date.now() - started) / 1000;
  if (interrupted || signal.aborted) {
    log.warn(`interrupted after ${count} trades; run the same command again to resume`);
    return 130;
  }
  job.state.done = true;
  await job.checkpoint.save(job.state);
  const perPair = cfg.pairs.map((p) => `${p} ${job.state.pairs[p]?.trades ?? 0}`).join(", ");
  log.info(
    `done: ${count} new trades → ${cfg.bus === "kafka" ? "Kafka" : `${rows} feature rows`} in ${
      seconds.toFixed(1)
    } s ` +
      `(${perPair} trades in all), ${rest.stats.requests} requests, ${rest.stats.throttled} throttled` +
      (features.candles.late ? `, ${features.candles.late} late trades` : "") +
      (cfg.record ? `; recorded in ${cfg.record}` : ""),
  );
  logSeams(held, spans, log);
  await logOfflineSummary(cfg, log);
  return 0;
}
