/**
 * Streaming predictions: every live feature row of a tracked series gets a prediction from the
 * promoted model (or the naive "no change", labelled `naive`, when there is none), written to the
 * online store and, where this process owns it, the offline history (`predict()` computes them,
 * `persist()` writes them after the rows). The
 * same row realises the predictions made `horizon` candles before it, which keeps live MAE of
 * model and naive per series. A failure here is logged and never stops the ingest.
 */
import { WINDOW_MS } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import type { Prediction } from "../domain/prediction.ts";
import type { Predictor } from "../domain/ports.ts";
import type { KvFeatureStore } from "../stores/online_kv.ts";
import type { KvPredictionStore } from "../stores/prediction_store.ts";
import type { Forecast } from "../stages/batch.ts";
import type { RowForecaster, UnsavedRows } from "../stages/predict.ts";
import { type Logger, silent } from "../util/log.ts";

export interface PredictionHistory {
  putPrediction(p: Prediction): Promise<void>;
  realisePrediction(pair: string, window: string, madeAt: number, close: number): Promise<void>;
}

export class LivePredictions implements RowForecaster {
  made = 0;
  realised = 0;
  failures = 0;
  #byKey = new Map<string, Predictor>();

  constructor(
    predictors: readonly Predictor[],
    readonly online: KvFeatureStore,
    readonly predictions: KvPredictionStore,
    readonly history: PredictionHistory | null = null,
    readonly log: Logger = silent,
  ) {
    for (const p of predictors) this.#byKey.set(`${p.pair}|${p.window}`, p);
  }

  /** Predictions for `rows`, which are in the stores already (the pipeline's predict stage does the same per batch). */
  async onRows(rows: readonly FeatureRow[]): Promise<void> {
    for (const row of rows) {
      const forecast = await this.forecast(row);
      if (forecast) await this.write([forecast]);
    }
  }

  /**
   * The predictor port of `predict()`: the close `row` realises and the prediction made at it; null
   * for a series without a predictor. A model failure is logged and leaves only the realisation.
   */
  async forecast(row: FeatureRow, unsaved?: UnsavedRows): Promise<Forecast | null> {
    const predictor = this.#byKey.get(`${row.pair}|${row.window}`);
    if (!predictor) return null;
    const made_at = row.window_end - predictor.horizon * WINDOW_MS[row.window];
    const realises = { pair: row.pair, window: row.window, made_at, close: row.close };
    try {
      return { realises, prediction: await this.#predict(row, predictor, unsaved) };
    } catch (e) {
      this.#failed(row.pair, row.window, row.window_end, e);
      return { realises, prediction: null };
    }
  }

  /** Stores forecasts in order, each realisation before its prediction; a failure is logged and skipped. */
  async write(forecasts: readonly Forecast[]): Promise<void> {
    for (const { realises: r, prediction } of forecasts) {
      try {
        if (await this.predictions.realise(r.pair, r.window, r.made_at, r.close)) this.realised++;
        await this.history?.realisePrediction(r.pair, r.window, r.made_at, r.close);
        if (prediction === null || !(await this.predictions.put(prediction))) continue;
        await this.history?.putPrediction(prediction);
        this.made++;
      } catch (e) {
        this.#failed(r.pair, r.window, prediction?.made_at ?? r.made_at, e);
      }
    }
  }

  #failed(pair: string, window: string, at: number, e: unknown): void {
    this.failures++;
    this.log.error(`prediction for ${pair} ${window} at ${at} failed: ${(e as Error).message}`);
  }

  async #predict(row: FeatureRow, predictor: Predictor, unsaved?: UnsavedRows): Promise<Prediction> {
    const W = WINDOW_MS[row.window];
    let predicted = row.close;
    let model: Prediction["model"] = { name: "naive", version: null };
    let bands: Pick<Prediction, "interval_80" | "interval_95"> = { interval_80: null, interval_95: null };
    const current = predictor.current;
    if (current) {
      // The row as the store serves it to /predict (with the rows still on their way to it), so
      // both feed the model the same input.
      const input = await this.online.modelRow(
        row.pair,
        row.window,
        current.card.other_pairs,
        row.window_start,
        unsaved,
      );
      if (!input) throw new Error("the row is not in the online store");
      const p = await predictor.predict(input);
      predicted = p.predicted_close;
      model = p.model;
      bands = { interval_80: p.interval_80, interval_95: p.interval_95 };
    }
    return {
      pair: row.pair,
      window: row.window,
      made_at: row.window_end,
      horizon: predictor.horizon,
      horizon_s: (predictor.horizon * W) / 1000,
      current_close: row.close,
      predicted_close: predicted,
      model,
      realised_close: null,
      ...bands,
    };
  }
}
