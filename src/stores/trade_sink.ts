/**
 * The end of a trade pipeline. Trades go through the feature engine as they arrive (candles and
 * indicators are synchronous); in batches, the sink appends the trades to the record file, upserts
 * the feature rows into the stores, then saves one checkpoint holding the trade cursor, the record
 * length and a snapshot of the feature state taken when the batch was cut. So the checkpoint always
 * describes exactly what is on disk, and a kill loses at most the unsaved batch, which the source
 * fetches again and the engine, restored from the same checkpoint, turns into the same rows.
 */
import type { FeatureRow } from "../domain/feature_row.ts";
import type { Trade } from "../domain/trade.ts";
import type { FeatureEngine } from "../transforms/features.ts";
import type { CheckpointFile, TradeCheckpoint } from "./checkpoint_file.ts";
import type { FeatureStores } from "./feature_stores.ts";
import type { TradeRecorder } from "./trade_recorder.ts";

export interface FeatureSinkOptions {
  engine: FeatureEngine;
  stores: Pick<FeatureStores, "upsert">;
  /** At the end of the input, close the open windows (a bounded history). @default true */
  flushOnEnd?: boolean;
  /** Close idle windows on wall-clock time while the source is live; see `tickCandles`. */
  idle?: { isLive: () => boolean; everyMs: number } | undefined;
}

export interface TradeSinkOptions {
  /** Where to save progress; none for a job that is simply rerun (a file). */
  checkpoint?: CheckpointFile | undefined;
  /** The checkpoint to continue from (pairs already present keep their counts). */
  state: TradeCheckpoint;
  recorder?: TradeRecorder | undefined;
  features?: FeatureSinkOptions | undefined;
  /**
   * Hands each batch on (the bus's trades stage) before the checkpoint is saved; `end` is called
   * with the pairs seen when the input ends, if `endOnClose`.
   */
  publish?:
    | { trades(trades: readonly Trade[]): Promise<void>; end(pairs: string[]): Promise<void> }
    | undefined;
  endOnClose?: boolean;
  /** Flush after this many trades. @default 1000 */
  batchSize?: number;
  /** Flush at least this often while trades arrive, ms. @default 250 */
  flushMs?: number;
  /** Called after every flush with the trades and rows it wrote. */
  onFlush?: (trades: readonly Trade[], rows: readonly FeatureRow[], state: TradeCheckpoint) => void;
  now?: () => number;
}

/**
 * A `WritableStream<Trade>`; `close()` writes what is left (with `flushOnEnd`, the rows of the
 * open windows too) and saves the final checkpoint.
 *
 * @example
 * ```ts
 * await source.pipeTo(tradeSink({ checkpoint, state, features: { engine, stores } }));
 * ```
 */
export function tradeSink(options: TradeSinkOptions): WritableStream<Trade> {
  const { checkpoint, state, recorder, features } = options;
  const batchSize = options.batchSize ?? 1000;
  const flushMs = options.flushMs ?? 250;
  const now = options.now ?? Date.now;
  let batch: Trade[] = [];
  let rows: FeatureRow[] = [];
  let lastFlush = now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let idleTimer: ReturnType<typeof setInterval> | undefined;
  let flushing: Promise<void> = Promise.resolve();
  let failure: unknown;

  const flush = async () => {
    clearTimeout(timer);
    timer = undefined;
    const trades = batch;
    const written = rows;
    batch = [];
    rows = [];
    lastFlush = now();
    // Cut the feature state together with the batch: later trades may change it while we write.
    const snapshot = features ? structuredClone(features.engine.state) : undefined;
    if (trades.length === 0 && written.length === 0) return;
    await recorder?.write(trades);
    if (trades.length) await options.publish?.trades(trades);
    await features?.stores.upsert(written);
    for (const t of trades) {
      const p = state.pairs[t.pair] ??= { ts: t.ts, trade_id: null, trades: 0 };
      p.ts = t.ts;
      p.trade_id = t.trade_id ?? p.trade_id;
      p.trades++;
    }
    if (recorder) state.record = { path: recorder.path, bytes: recorder.bytes };
    if (snapshot) state.features = snapshot;
    state.updated_at = new Date().toISOString();
    await checkpoint?.save(state);
    options.onFlush?.(trades, written, state);
  };
  const chain = () => flushing = flushing.then(flush);
  // A timed flush has no caller to fail; its error surfaces on the next write or close.
  const background = () => {
    chain().catch((e) => failure ??= e);
  };

  return new WritableStream<Trade>({
    start() {
      const idle = features?.idle;
      if (idle) {
        idleTimer = setInterval(() => {
          if (!idle.isLive()) return;
          const closed = features.engine.tick(now());
          if (closed.length > 0) {
            rows.push(...closed);
            background();
          }
        }, idle.everyMs);
      }
    },
    async write(trade) {
      if (failure !== undefined) throw failure;
      batch.push(trade);
      if (features) {
        const closed = features.engine.step(trade, now());
        for (const r of closed) rows.push(r);
      }
      if (batch.length >= batchSize || now() - lastFlush >= flushMs) {
        await chain();
      } else if (timer === undefined) {
        timer = setTimeout(background, flushMs);
      }
    },
    async close() {
      clearInterval(idleTimer);
      if (features && (features.flushOnEnd ?? true)) rows.push(...features.engine.flush());
      await chain();
      if (failure !== undefined) throw failure;
      if (options.endOnClose) await options.publish?.end(Object.keys(state.pairs));
    },
    async abort() {
      clearInterval(idleTimer);
      await chain();
    },
  });
}
