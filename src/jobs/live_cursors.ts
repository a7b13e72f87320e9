/** Where a live job's pairs resume: right after the last trade its checkpoint says it wrote. */
import { isoTime } from "../domain/time.ts";
import type { Cursor } from "../sources/kraken/rest_trades.ts";
import type { TradeCheckpoint } from "../stores/checkpoint_file.ts";
import type { Logger } from "../util/log.ts";

/**
 * A cursor per pair: after the checkpoint's last trade, or at `from` for a pair the job has not
 * written yet; without either, none (the live source then starts at the exchange's latest trade).
 */
export function resumeCursors(
  state: TradeCheckpoint,
  pairs: readonly string[],
  from: number | undefined,
): Map<string, Cursor> {
  const cursors = new Map<string, Cursor>();
  for (const pair of pairs) {
    const saved = state.pairs[pair];
    if (saved) cursors.set(pair, { ts: saved.ts, tradeId: saved.trade_id });
    else if (from !== undefined) cursors.set(pair, { ts: from, tradeId: null });
  }
  return cursors;
}

/** `ingest`'s cursors, each said in the log (`--from` counts on a first run only). */
export function ingestCursors(
  state: TradeCheckpoint,
  pairs: readonly string[],
  from: number | undefined,
  log: Logger,
): Map<string, Cursor> {
  const cursors = resumeCursors(state, pairs, from);
  for (const pair of pairs) {
    const saved = state.pairs[pair];
    if (saved) {
      log.info(
        `${pair}: resuming after trade ${saved.trade_id ?? "-"} (${isoTime(saved.ts)})` +
          (from !== undefined ? "; --from applies to a first run only" : ""),
      );
    } else if (from !== undefined) log.info(`${pair}: catching up from ${isoTime(from)}`);
  }
  return cursors;
}
