/**
 * The end of a trade pipeline. Each batch is written in one order: its trades appended to the
 * record file and handed to the publish hook (the bus's trades topic), its feature rows upserted
 * into the stores, its predictions stored; only then is the checkpoint saved, holding the trade
 * cursor, the record's length and the stage state as of the batch. So the checkpoint always
 * describes what is on disk, and a kill loses at most the batch being written, which the source
 * fetches again and the stages, restored from the same checkpoint, turn into the same rows.
 */
import type { FeatureRow } from "../domain/feature_row.ts";
import type { Clock } from "../domain/ports.ts";
import type { Trade } from "../domain/trade.ts";
import type { TradeCheckpoint } from "../stores/checkpoint_file.ts";
import { systemClock } from "../util/clock.ts";
import type { Batch, Forecast } from "./batch.ts";

/** Where a trade job's trades go besides the stores: the bus. */
export interface TradePublisher {
  trades(trades: readonly Trade[]): Promise<void>;
  /** Called with every pair seen when a bounded input ends. */
  end?(pairs: string[]): Promise<void>;
}

export interface PersistOptions {
  /** Where feature rows go (both stores). */
  stores?: { upsert(rows: readonly FeatureRow[]): Promise<void> } | undefined;
  /** Where predictions and realised closes go, after the rows they read. */
  predictions?: { write(forecasts: readonly Forecast[]): Promise<void> } | undefined;
  /** Where progress is saved; none for a job that is simply rerun (a trade file). */
  checkpoint?: { save(state: TradeCheckpoint): Promise<void> } | undefined;
  /** The checkpoint to continue, advanced in place (pairs already in it keep their counts). */
  state?: TradeCheckpoint | undefined;
  recorder?: {
    readonly path: string;
    readonly bytes: number;
    write(trades: readonly Trade[]): Promise<void>;
  } | undefined;
  publish?: TradePublisher | undefined;
  /** Called after every batch is written, with the checkpoint as saved. */
  onFlush?: ((batch: Batch, state: TradeCheckpoint) => void) | undefined;
  /** For the checkpoint's `updated_at`. @default systemClock */
  clock?: Clock;
}

/**
 * A `WritableStream<Batch>`. A batch with nothing to write (an idle tick that closed nothing) is
 * skipped. `close()` calls the publish hook's `end` with every pair seen.
 *
 * A candle file's batches carry candles instead of trades; the cursor then holds each pair's last
 * candle start and `trades` counts candles.
 *
 * @example
 * ```ts
 * await batches.pipeTo(persist({ stores, checkpoint: job.checkpoint, state: job.state }));
 * ```
 */
export function persist(options: PersistOptions): WritableStream<Batch> {
  const { stores, predictions, checkpoint, recorder, publish, onFlush } = options;
  const state = options.state ?? { version: 1, job: "", pairs: {}, updated_at: "" };
  const clock = options.clock ?? systemClock;
  return new WritableStream<Batch>({
    async write(batch) {
      const { trades, bars, rows, forecasts } = batch;
      if (trades.length === 0 && bars.length === 0 && rows.length === 0) return;
      if (trades.length > 0) {
        await recorder?.write(trades);
        await publish?.trades(trades);
      }
      if (rows.length > 0) await stores?.upsert(rows);
      if (forecasts.length > 0) await predictions?.write(forecasts);
      for (const t of trades) {
        const p = state.pairs[t.pair] ??= { ts: t.ts, trade_id: null, trades: 0 };
        p.ts = t.ts;
        p.trade_id = t.trade_id ?? p.trade_id;
        p.trades++;
      }
      for (const c of bars) {
        const p = state.pairs[c.pair] ??= { ts: c.window_start, trade_id: null, trades: 0 };
        p.ts = c.window_start;
        p.trades++;
      }
      if (recorder) state.record = { path: recorder.path, bytes: recorder.bytes };
      const { candles, indicators } = batch.state;
      if (candles && indicators) state.features = { version: 1, candles, indicators };
      state.updated_at = new Date(clock.now()).toISOString();
      await checkpoint?.save(state);
      onFlush?.(batch, state);
    },
    async close() {
      await publish?.end?.(Object.keys(state.pairs));
    },
  });
}
