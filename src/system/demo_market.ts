/**
 * The demo's market: a trade file, or a synthetic market generated once into the data dir (fixed
 * dates and seed, so a second run replays the same market and continues the same series), loaded
 * as the book the simulator replays; and where a run starts replaying it.
 */
import { isoTime } from "../domain/time.ts";
import { replayFileFormat } from "../jobs/replay_file_format.ts";
import { tradeToJsonLine } from "../domain/trade.ts";
import { TradeBook } from "../sim/book.ts";
import { syntheticTrades } from "../sim/synthetic.ts";
import { tradeFile } from "../sources/files/trade_file.ts";
import type { TradeFormat } from "../sources/files/trade_formats.ts";
import { CheckpointFile, jobFileName } from "../stores/checkpoint_file.ts";
import { claimMarket, type Market, replayMarket } from "../stores/market_file.ts";
import type { Logger } from "../util/log.ts";

export interface DemoMarketConfig {
  dataDir: string;
  /** The file to replay; none for the synthetic market. */
  file?: string | undefined;
  format?: TradeFormat | undefined;
  pairs: readonly string[];
  /** Minutes of synthetic market. */
  minutes: number;
  /** Synthetic market: momentum turns to mean reversion this long after its start. */
  regimeChangeMs?: number | undefined;
}

/** Claims the data dir for the market (refused untouched if it holds another), then loads its book. */
export async function openDemoMarket(
  cfg: DemoMarketConfig,
  log: Logger,
): Promise<{ market: Market; book: TradeBook }> {
  const change = cfg.regimeChangeMs === undefined ? undefined : Math.round(cfg.regimeChangeMs / 60_000);
  // Another regime is another market: its own file, so a data dir never mixes the two.
  const file = cfg.file ??
    `${cfg.dataDir}/synthetic_trades${change === undefined ? "" : `_regime_change_${change}m`}.jsonl`;
  // Checked before the claim: a mistyped --file would otherwise record a market that does not exist
  // and make the data dir refuse the right file afterwards.
  const format = cfg.file === undefined ? "trades-jsonl" : await replayFileFormat(cfg.file, cfg.format);
  const market = replayMarket(file, cfg.file === undefined);
  await claimMarket(cfg.dataDir, market);
  if (cfg.file === undefined) {
    try {
      await Deno.stat(file);
    } catch {
      const trades = syntheticTrades({
        pairs: [...cfg.pairs],
        start: Date.UTC(2024, 0, 1),
        minutes: cfg.minutes,
        regimeChangeMinute: change,
      });
      await Deno.writeTextFile(file, trades.map(tradeToJsonLine).join("\n") + "\n");
      log.info(
        `generated a SYNTHETIC market: ${trades.length} trades of ${cfg.pairs.join(", ")} in ${file}` +
          (change === undefined ? "" : `; momentum turns to mean reversion at minute ${change}`),
      );
    }
  }
  const { stream } = await tradeFile(file, { format, pair: cfg.pairs[0], log });
  return { market, book: new TradeBook(await Array.fromAsync(stream)) };
}

/**
 * Where the replay starts: after `historyMs` of history, or, on a warm start, where the last run
 * stopped (its checkpoint, `job`, has a fixed name: the simulator's port changes).
 */
export async function replayStart(
  dataDir: string,
  job: string,
  book: TradeBook,
  historyMs: number,
): Promise<number> {
  const saved = await new CheckpointFile(`${dataDir}/checkpoints/${jobFileName(job)}.json`).load();
  const resumeAt = Math.min(...Object.values(saved?.pairs ?? {}).map((p) => p.ts));
  return Math.min(book.lastTs, Math.max(book.firstTs + historyMs, Number.isFinite(resumeAt) ? resumeAt : 0));
}

/**
 * When the `--bad-model-at` drill forces its biased model: `offsetMs` into the replay, which starts
 * after the history; undefined on a warm start past that point. The earlier run held the drill (or
 * passed it), and counting from where a restart resumes forced a second biased model each time.
 */
export function drillAt(
  book: TradeBook,
  historyMs: number,
  startAt: number,
  offsetMs: number,
): number | undefined {
  const at = Math.min(book.lastTs, book.firstTs + historyMs) + offsetMs;
  return startAt > at ? undefined : at;
}

/**
 * Why nothing will be replayed live, if so: a `--history` as long as the market serves it all as
 * history, and a warm start after the replay's end has nothing left to replay. Undefined otherwise.
 */
export function nothingLiveWarning(book: TradeBook, historyMs: number, startAt: number): string | undefined {
  if (startAt < book.lastTs) return undefined;
  const market = book.lastTs - book.firstTs;
  return book.firstTs + historyMs >= book.lastTs
    ? `--history ${span(historyMs)} covers the whole market (${span(market)}): it is all served as history ` +
      "and nothing is replayed live; give a shorter --history, or a longer market (--minutes, or --file)"
    : "an earlier run replayed this market to its end: nothing is left to replay live (another --data-dir " +
      "starts it afresh)";
}

/** A span of time in the unit that reads best: seconds, minutes, hours or days. */
function span(ms: number): string {
  const s = ms / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 72 * 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

/**
 * The startup line: the book's span, the history served at once, and the live replay after it, in
 * market time and in the wall time it takes at `speed`.
 */
export function replayLine(book: TradeBook, startAt: number, speed: number): string {
  const live = book.lastTs - startAt;
  return `${book.all.length} trades ${isoTime(book.firstTs)} .. ${isoTime(book.lastTs)}; history until ${
    isoTime(startAt)
  }, then live at ${speed}x (${span(live)} of market in ${span(live / speed)})`;
}
