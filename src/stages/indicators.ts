/**
 * Closed candles → feature rows: every indicator of each candle's series (src/transforms/features.ts).
 * `featureRows` is the step for a caller that may replace its state between calls (the Kafka
 * features stage rolls back a failed slice); `indicators()` keeps its indicator sets between batches.
 */
import type { Candle } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import { SeriesIndicators } from "../transforms/features.ts";
import type { IndicatorSetState } from "../transforms/indicators.ts";
import type { Batch } from "./batch.ts";

/**
 * The feature row of each closed candle, advancing `state` (indicator sets keyed `PAIR|WINDOW`) in
 * place. The sets are built from `state` on each call, so a state object put in place of another
 * between calls is never shadowed by a set kept from before.
 */
export function featureRows(
  state: Record<string, IndicatorSetState>,
  candles: readonly Candle[],
): FeatureRow[] {
  return new SeriesIndicators(state).rows(candles);
}

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
      // Unchanged without rows, so the last copy still describes it (and nobody writes to copies).
      if (batch.rows.length > 0 || snapshot === undefined) snapshot = structuredClone(series.state);
      batch.state.indicators = snapshot;
      controller.enqueue(batch);
    },
  });
}
