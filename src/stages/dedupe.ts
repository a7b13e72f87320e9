/**
 * Drops trades seen before. Trade ids are sequential per pair, so a trade at or below its pair's
 * last id is a redelivery (an overlapping REST page, a replayed file, a resumed job). Trades
 * without an id pass. The Kafka candles stage applies the same rule to its messages.
 *
 * The state is the last id per pair, which is also the trade cursor of the job's checkpoint, so a
 * job restores it from there (see `lastTradeIds`).
 */
import type { Batch } from "./batch.ts";

/**
 * Batches → the same batches with repeated trades taken out. `flush` emits nothing.
 *
 * @example
 * ```ts
 * const fresh = batches.pipeThrough(dedupe({ "BTC/USD": 123_456 }));
 * ```
 */
export function dedupe(lastTradeId: Record<string, number> = {}): TransformStream<Batch, Batch> {
  const last = new Map(Object.entries(lastTradeId));
  return new TransformStream<Batch, Batch>({
    transform(batch, controller) {
      const { trades, arrivals } = batch;
      let kept = -1;
      for (let i = 0; i < trades.length; i++) {
        const t = trades[i]!;
        const id = t.trade_id;
        let fresh = true;
        if (id !== undefined) {
          const seen = last.get(t.pair);
          if (seen !== undefined && id <= seen) fresh = false;
          else last.set(t.pair, id);
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
      controller.enqueue(batch);
    },
  });
}
