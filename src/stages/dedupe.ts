/**
 * Drops trades seen before. Trade ids are sequential per pair, so a trade at or below its pair's
 * last id is a redelivery (an overlapping REST page, a replayed file, a resumed job, a message the
 * bus delivers again). Trades without an id pass. `dedupeTrades` is the step; `dedupe()` runs it
 * over batches here, and the Kafka candles stage on each message.
 *
 * The state is the last id per pair, which is also the trade cursor of the job's checkpoint, so a
 * job restores it from there (see `lastTradeIds`).
 *
 * `dedupeCandles()` does the same for closed candles read back from a bus: a candle at or before
 * its series' last start is a redelivery, or a rebuilt partition replaying.
 */
import type { Candle } from "../domain/candle.ts";
import type { Trade } from "../domain/trade.ts";
import type { Batch } from "./batch.ts";

/**
 * Takes the trades seen before out of `trades` (and their entries out of `arrivals`), in place,
 * recording each kept id in `lastTradeId`.
 *
 * @param lastTradeId the last id per pair, advanced in place
 */
export function dedupeTrades(
  lastTradeId: Record<string, number>,
  trades: Trade[],
  arrivals?: number[] | undefined,
): void {
  let kept = -1;
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i]!;
    const id = t.trade_id;
    let fresh = true;
    if (id !== undefined) {
      const seen = lastTradeId[t.pair];
      if (seen !== undefined && id <= seen) fresh = false;
      else lastTradeId[t.pair] = id;
    }
    // Compacted in place from the first repeat on (repeats are rare).
    if (kept >= 0) {
      if (fresh) {
        trades[kept] = t;
        if (arrivals) arrivals[kept] = arrivals[i]!;
        kept++;
      }
    } else if (!fresh) kept = i;
  }
  if (kept >= 0) {
    trades.length = kept;
    if (arrivals) arrivals.length = kept;
  }
}

/**
 * Batches → the same batches with repeated trades taken out, and a copy of the last id per pair
 * (`state.lastTradeId`). `flush` emits nothing.
 *
 * @param lastTradeId the last id per pair to start from (a checkpoint's); not modified
 * @example
 * ```ts
 * const fresh = batches.pipeThrough(dedupe({ "BTC/USD": 123_456 }));
 * ```
 */
export function dedupe(lastTradeId: Record<string, number> = {}): TransformStream<Batch, Batch> {
  const last = { ...lastTradeId };
  return new TransformStream<Batch, Batch>({
    transform(batch, controller) {
      dedupeTrades(last, batch.trades, batch.arrivals);
      // A new input of an ended pair (another file, say) numbers its trades afresh.
      for (const pair of batch.ends ?? []) delete last[pair];
      batch.state.lastTradeId = { ...last };
      controller.enqueue(batch);
    },
  });
}

/**
 * Batches of closed candles (`candles`) → the same batches without the candles at or before their
 * series' last start, and a copy of the last start per `PAIR|WINDOW` (`state.lastStart`). `flush`
 * emits nothing.
 *
 * @param lastStart the last start per `PAIR|WINDOW` to start from (a checkpoint's); not modified
 */
export function dedupeCandles(lastStart: Record<string, number> = {}): TransformStream<Batch, Batch> {
  const last = { ...lastStart };
  return new TransformStream<Batch, Batch>({
    transform(batch, controller) {
      batch.candles = batch.candles.filter((c: Candle) => {
        const key = `${c.pair}|${c.window}`;
        const seen = last[key];
        if (seen !== undefined && c.window_start <= seen) return false;
        last[key] = c.window_start;
        return true;
      });
      // An ended pair's next series may start anywhere, earlier included.
      for (const pair of batch.ends ?? []) {
        for (const key of Object.keys(last)) if (key.startsWith(`${pair}|`)) delete last[key];
      }
      batch.state.lastStart = { ...last };
      controller.enqueue(batch);
    },
  });
}
