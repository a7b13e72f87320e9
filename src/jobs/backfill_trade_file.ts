/**
 * `backfill --file` of a trade file: its trades of `--pairs` between `--from` and `--to` through
 * the feature pipeline. A file is read whole each time, so there is no checkpoint: its record is
 * rewritten and its rows upserted again, to the same values.
 */
import { type BackfillConfig, ConfigError } from "../config.ts";
import { isoTime } from "../domain/time.ts";
import type { Trade } from "../domain/trade.ts";
import { BadLineError, tradeFileChunks } from "../sources/files/trade_file.ts";
import { runsNewestFirst } from "../sources/files/time_order.ts";
import type { TradeFormat } from "../sources/files/trade_formats.ts";
import { TradeRecorder } from "../stores/trade_recorder.ts";
import { initialFeatureState } from "../transforms/features.ts";
import type { Logger } from "../util/log.ts";
import { Progress } from "../util/progress.ts";
import { streamHead } from "../util/stream_head.ts";
import { drainTrades } from "./drain_trades.ts";
import { heldSeries, logOfflineSummary, logSeams } from "./offline_summary.ts";
import { noteSpans, type RunSpans } from "../transforms/series_seams.ts";
import { warnKrakenTradesPair } from "./kraken_trades_pair.ts";

export async function backfillTradeFile(
  cfg: BackfillConfig,
  path: string,
  format: TradeFormat | undefined,
  log: Logger,
  signal: AbortSignal,
): Promise<number> {
  const from = cfg.from ?? -Infinity, to = cfg.to ?? Infinity;
  const wanted = wantedTrades(cfg.pairs, from, to);
  const { stream: chunks, stats } = await tradeFileChunks(path, {
    format,
    pair: cfg.pairs[0],
    skipBadLines: cfg.skipBadLines,
    log,
    keep: wanted.keep,
  });
  // The first chunk's trades, read before anything is written: a file that runs newest-first, or
  // whose header is not its format's, is refused without leaving stores behind.
  const { head, stream: all } = await streamHead(chunks, 1).catch((e) => {
    if (e instanceof BadLineError && e.line === 1 && stats.format === "trades-csv") {
      throw new ConfigError(e.message, { cause: e });
    }
    throw e;
  });
  if (runsNewestFirst(head.flat().slice(0, 1000))) {
    await all.cancel();
    const reverse = stats.format === "trades-csv"
      ? `(head -n 1 ${path}; tail -n +2 ${path} | tac) > sorted.csv`
      : `tac ${path} > sorted${stats.format === "trades-jsonl" ? ".jsonl" : ".csv"}`;
    throw new ConfigError(
      `${path} runs newest-first (its first trades go back in time), and trades are read oldest first: ` +
        `most would be dropped as late. Reverse its lines${
          stats.format === "trades-csv" ? ", keeping the header" : ""
        }, e.g. ${reverse}`,
    );
  }
  warnKrakenTradesPair(stats.format, cfg.pairs, log);
  // Ctrl-C stops reading the file; the batch being written is finished, and the online store
  // gets what the offline store has.
  const stream = all.pipeThrough(new TransformStream<Trade[], Trade[]>(), { signal });
  // Read before the record is rewritten: it fails while another process holds the stores, and that
  // process may be writing this record.
  const held = await heldSeries(cfg), spans: RunSpans = new Map();
  const recorder = cfg.record ? (await TradeRecorder.open(cfg.record, 0)).recorder : undefined;
  const features = initialFeatureState({ windows: cfg.windows, graceMs: cfg.graceMs });
  let rows = 0, trades = 0;
  const progress = new Progress("backfill", log);
  const started = Date.now();
  try {
    const interrupted = await drainTrades(cfg, stream, {
      features,
      lastTradeId: {},
      batching: { size: 20_000, ms: 1000 },
      // Rerun whole, never resumed: the online store needs only where the file ends.
      onlineAtEnd: true,
      sink: {
        state: { version: 1, job: `file ${path}`, pairs: {}, updated_at: "" },
        recorder,
        onFlush: (batch) => {
          rows += batch.rows.length;
          noteSpans(spans, batch.rows);
          trades += batch.trades.length;
          const last = batch.trades.at(-1);
          progress.update({
            fraction: last && Number.isFinite(from) && Number.isFinite(to)
              ? (last.ts - from) / (to - from)
              : undefined,
            detail: `line ${stats.lines.toLocaleString("en-US")}${last ? ` · ${isoTime(last.ts)}` : ""} · ` +
              `${trades.toLocaleString("en-US")} trades` +
              (cfg.bus === "kafka" ? " published" : ` · ${rows} rows`),
            rate: trades / Math.max(0.001, (Date.now() - started) / 1000),
          });
        },
      },
      signal,
    }).then(() => false, (e) => {
      if (!signal.aborted) throw e;
      return true;
    });
    progress.done();
    if (interrupted) {
      log.warn(
        `interrupted after ${trades.toLocaleString("en-US")} trades ` +
          (cfg.bus === "kafka" ? "published" : `(${rows} feature rows)`) +
          "; a file has no checkpoint: the same command reads it whole again, to the same rows",
      );
      return 130;
    }
    const late = features.candles.late;
    // Trades of other pairs, or outside --from..--to, are read but not loaded: say how many were.
    const loaded = wanted.kept() < stats.records ? `, ${wanted.kept()} of them loaded` : "";
    log.info(
      `${path} (${stats.format}): ${stats.lines} lines, ${stats.records} trades${loaded} → ` +
        (cfg.bus === "kafka" ? "Kafka" : `${rows} feature rows`) +
        (stats.badLines ? `, ${stats.badLines} bad lines skipped` : "") +
        (cfg.record ? `; recorded in ${cfg.record}` : ""),
    );
    if (late > 0) {
      log.warn(
        `${late.toLocaleString("en-US")} of ${trades.toLocaleString("en-US")} trades (${
          lateShare(late, trades)
        }) were dropped as late: older than a window closed more than --grace before. The file is not in ` +
          "time order: sort it by time (oldest first), or raise --grace",
      );
    }
    if (wanted.otherPairs.size > 0) {
      const skipped = [...wanted.otherPairs.values()].reduce((a, b) => a + b, 0);
      log.warn(
        `${skipped} trades of pairs not in --pairs skipped (${
          [...wanted.otherPairs].slice(0, 8).map(([p, n]) => `${p} ${n}`).join(", ")
        }${wanted.otherPairs.size > 8 ? ", ..." : ""}); add them to --pairs to load them`,
      );
    }
    logSeams(held, spans, log);
    await logOfflineSummary(cfg, log);
  } finally {
    recorder?.close();
  }
  return 0;
}

/**
 * The trades of `pairs` (all, when empty) in [from, to). A trade of another pair would start a
 * series nobody asked for; it is counted in `otherPairs`, not loaded. Applied by the source itself:
 * a filtering stage of its own would cost each trade another stream hop.
 */
function wantedTrades(
  pairs: readonly string[],
  from: number,
  to: number,
): { keep: (t: Trade) => boolean; otherPairs: Map<string, number>; kept: () => number } {
  const wanted = new Set(pairs);
  const otherPairs = new Map<string, number>();
  let kept = 0;
  const keep = (t: Trade) => {
    if (wanted.size > 0 && !wanted.has(t.pair)) {
      otherPairs.set(t.pair, (otherPairs.get(t.pair) ?? 0) + 1);
      return false;
    }
    if (t.ts < from || t.ts >= to) return false;
    kept++;
    return true;
  };
  return { keep, otherPairs, kept: () => kept };
}

/** A share in percent, with a figure after the point below 10 % (and never rounded to 0). */
function lateShare(late: number, of: number): string {
  const pct = 100 * late / Math.max(1, of);
  return `${pct >= 10 ? Math.round(pct) : Math.max(0.1, Number(pct.toFixed(1)))}%`;
}
