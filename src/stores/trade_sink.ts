/**
 * The end of a trade pipeline: batches trades, appends them to the record file (when one is
 * given), then saves the checkpoint that says how far the job got. Checkpoints always describe
 * what is on disk, so a kill loses at most the unsaved batch, which the source then fetches again.
 */
import type { Trade } from "../domain/trade.ts";
import type { CheckpointFile, TradeCheckpoint } from "./checkpoint_file.ts";
import type { TradeRecorder } from "./trade_recorder.ts";

export interface TradeSinkOptions {
  checkpoint: CheckpointFile;
  /** The checkpoint to continue from (pairs already present keep their counts). */
  state: TradeCheckpoint;
  recorder?: TradeRecorder | undefined;
  /** Flush after this many trades. @default 1000 */
  batchSize?: number;
  /** Flush at least this often while trades arrive, ms. @default 250 */
  flushMs?: number;
  /** Called after every flush with the trades it wrote. */
  onFlush?: (trades: readonly Trade[], state: TradeCheckpoint) => void;
}

/**
 * A `WritableStream<Trade>`; `close()` flushes what is left and saves the final checkpoint.
 *
 * @example
 * ```ts
 * await source.pipeTo(tradeSink({ checkpoint, state }));
 * ```
 */
export function tradeSink(options: TradeSinkOptions): WritableStream<Trade> {
  const { checkpoint, state, recorder } = options;
  const batchSize = options.batchSize ?? 1000;
  const flushMs = options.flushMs ?? 250;
  let batch: Trade[] = [];
  let lastFlush = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let flushing: Promise<void> = Promise.resolve();
  let failure: unknown;

  const flush = async () => {
    clearTimeout(timer);
    timer = undefined;
    const trades = batch;
    batch = [];
    lastFlush = Date.now();
    if (trades.length === 0) return;
    await recorder?.write(trades);
    for (const t of trades) {
      const p = state.pairs[t.pair] ??= { ts: t.ts, trade_id: null, trades: 0 };
      p.ts = t.ts;
      p.trade_id = t.trade_id ?? p.trade_id;
      p.trades++;
    }
    if (recorder) state.record = { path: recorder.path, bytes: recorder.bytes };
    state.updated_at = new Date().toISOString();
    await checkpoint.save(state);
    options.onFlush?.(trades, state);
  };
  const chain = () => flushing = flushing.then(flush);
  // A timed flush has no caller to fail; its error surfaces on the next write or close.
  const background = () => {
    chain().catch((e) => failure ??= e);
  };

  return new WritableStream<Trade>({
    async write(trade) {
      if (failure !== undefined) throw failure;
      batch.push(trade);
      if (batch.length >= batchSize || Date.now() - lastFlush >= flushMs) {
        await chain();
      } else if (timer === undefined) {
        timer = setTimeout(background, flushMs);
      }
    },
    async close() {
      await chain();
      if (failure !== undefined) throw failure;
    },
    async abort() {
      await chain();
    },
  });
}
