/**
 * Closed candles → feature rows: every indicator of each candle's series (src/transforms/features.ts).
 */
import { SeriesIndicators } from "../transforms/features.ts";
import type { IndicatorSetState } from "../transforms/indicators.ts";
import type { Batch } from "./batch.ts";

/**
 * Batches → the same batches with one feature row per closed candle and a copy of the indicator
 * state. `flush` emits nothing: every candle is turned into its row as its batch passes.
 *
 * @param state indicator sets keyed `PAIR|WINDOW` (a checkpoint's), advanced in place
 * @example
 * ```ts
 * const rows = closed.pipeThrough(indicators());
 * ```
 */
export function indicators(state: Record<string, IndicatorSetState> = {}): TransformStream<Batch, Batch> {
  const series = new SeriesIndicators(state);
  let snapshot: Record<string, IndicatorSetState> | undefined;
  return new TransformStream<Batch, Batch>({
    transform(batch, controller) {
      batch.rows = series.rows(batch.candles);
      const ends = batch.ends ?? [];
      for (const pair of ends) series.forget(pair);
      // Unchanged without rows, so the last copy still describes it (and nobody writes to copies).
      if (batch.rows.length > 0 || ends.length > 0 || snapshot === undefined) {
        snapshot = structuredClone(series.state);
      }
      batch.state.indicators = snapshot;
      controller.enqueue(batch);
    },
  });
}
