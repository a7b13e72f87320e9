/**
 * Trades → closed candles, over the candle reducer (src/transforms/candles.ts): the batch's trades,
 * or the candles of a candle file (`bars`), then its idle tick if it carries one. Pure: the time
 * of a tick and of each trade's arrival come in the batch. `closedCandles` is the trade step, shared
 * with the Kafka candles stage.
 */
import type { Candle } from "../domain/candle.ts";
import type { Trade } from "../domain/trade.ts";
import {
  type CandleState,
  flushCandles,
  forgetPair,
  stepCandle,
  stepCandles,
  tickCandles,
} from "../transforms/candles.ts";
import { type Batch, emptyBatch } from "./batch.ts";

/**
 * The candles that `trades` close, in order, advancing `state` in place.
 *
 * @param arrivals each trade's arrival on the wall clock, ms, when an idle tick is configured
 */
export function closedCandles(
  state: CandleState,
  trades: readonly Trade[],
  arrivals?: readonly number[] | undefined,
): Candle[] {
  const out: Candle[] = [];
  for (let i = 0; i < trades.length; i++) {
    const closed = stepCandles(state, trades[i]!, arrivals?.[i]);
    for (let j = 0; j < closed.length; j++) out.push(closed[j]!);
  }
  return out;
}

export interface CandlesOptions {
  /** At the end of the input, close every open window (a bounded history). @default true */
  flushOnEnd?: boolean;
}

/**
 * Batches → the same batches with their closed candles and a copy of the candle state: the
 * candles the trades (or bars) close, then the idle tick's, then those of the pairs that `ends`
 * names (all their open windows; those pairs' series then end, and their next trades start new
 * ones). `flush`
 * emits one more batch holding the candles of every open window when `flushOnEnd` (and there are
 * any); a live source's open windows stay in the state, to continue on restart.
 *
 * @param state the reducer's state (`initialCandleState`, or a checkpoint's), advanced in place
 * @example
 * ```ts
 * const closed = batches.pipeThrough(candles(initialCandleState({ windows: ["1m", "5m"] })));
 * ```
 */
export function candles(state: CandleState, options: CandlesOptions = {}): TransformStream<Batch, Batch> {
  const flushOnEnd = options.flushOnEnd ?? true;
  return new TransformStream<Batch, Batch>({
    transform(batch, controller) {
      const out = closedCandles(state, batch.trades, batch.arrivals);
      for (const bar of batch.bars) out.push(...stepCandle(state, bar));
      if (batch.tick !== undefined) out.push(...tickCandles(state, batch.tick, batch.tickCap));
      for (const pair of batch.ends ?? []) {
        out.push(...flushCandles(state, pair));
        forgetPair(state, pair);
      }
      batch.candles = out;
      batch.state.candles = structuredClone(state);
      controller.enqueue(batch);
    },
    flush(controller) {
      if (!flushOnEnd) return;
      const closed = flushCandles(state);
      if (closed.length === 0) return;
      const batch = emptyBatch();
      batch.candles = closed;
      batch.state.candles = structuredClone(state);
      controller.enqueue(batch);
    },
  });
}
