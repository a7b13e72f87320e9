/**
 * Feature rows → predictions: each live row of a predicted series gets the promoted model's
 * prediction (or the naive one) and realises the prediction made a horizon before it. Loading
 * history is not prediction: which rows count as live is the caller's `includes`
 * (src/system/live_rows.ts: rows that closed after the source turned live).
 *
 * A model reads a row as the stores would serve it, joined with other pairs' rows of the same
 * window start. Those rows may still be on their way to the stores (this batch's, or one still
 * being written), so the stage hands the predictor the rows it has seen lately; what is older is
 * in the stores.
 */
import type { Window } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import type { Batch, Forecast } from "./batch.ts";

/** Rows the pipeline made that may not be stored yet. */
export interface UnsavedRows {
  get(pair: string, window: Window, windowStart: number): FeatureRow | undefined;
}

/** The predictor port: what closing `row` brings to the prediction store; null for a series not predicted. */
export interface RowForecaster {
  forecast(row: FeatureRow, unsaved: UnsavedRows): Promise<Forecast | null>;
}

export interface PredictOptions {
  /** Whether a row gets a prediction (called as a method: a `LiveRows` is a `PredictOptions`). @default every row */
  includes?(row: FeatureRow): boolean;
  /** Rows of each series kept for other series' rows to read. @default 64 */
  keep?: number;
}

/**
 * Batches → the same batches with the forecasts of their live rows. `flush` emits nothing.
 *
 * @example
 * ```ts
 * const predicted = rows.pipeThrough(predict(livePredictions, liveRows));
 * ```
 */
export function predict(
  forecaster: RowForecaster,
  options: PredictOptions = {},
): TransformStream<Batch, Batch> {
  const includes = (row: FeatureRow) => options.includes ? options.includes(row) : true;
  const recent = new RecentRows(options.keep ?? 64);
  return new TransformStream<Batch, Batch>({
    async transform(batch, controller) {
      for (const row of batch.rows) recent.add(row);
      for (const row of batch.rows.filter(includes)) {
        const forecast = await forecaster.forecast(row, recent);
        if (forecast) batch.forecasts.push(forecast);
      }
      controller.enqueue(batch);
    },
  });
}

/** The newest rows of each series, by window start. */
class RecentRows implements UnsavedRows {
  #series = new Map<string, Map<number, FeatureRow>>();

  constructor(readonly keep: number) {}

  add(row: FeatureRow): void {
    const key = `${row.pair}|${row.window}`;
    let rows = this.#series.get(key);
    if (rows === undefined) this.#series.set(key, rows = new Map());
    rows.set(row.window_start, row);
    if (rows.size > this.keep) rows.delete(rows.keys().next().value!);
  }

  get(pair: string, window: Window, windowStart: number): FeatureRow | undefined {
    return this.#series.get(`${pair}|${window}`)?.get(windowStart);
  }
}
