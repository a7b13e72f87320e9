/**
 * Streaming predictions: every feature row of a tracked series, as it is stored, gets a
 * prediction from the promoted model (or the naive "no change", labelled `naive`, when there is
 * none), written to the online store and, where this process owns it, the offline history. The
 * same row realises the predictions made `horizon` candles before it, which keeps live MAE of
 * model and naive per series. A failure here is logged and never stops the ingest.
 */
import { WINDOW_MS } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import type { Prediction } from "../domain/prediction.ts";
import type { Predictor } from "../model/predictor.ts";
import type { KvFeatureStore } from "../stores/online_kv.ts";
import type { KvPredictionStore } from "../stores/prediction_store.ts";
import { type Logger, silent } from "../util/log.ts";

export interface PredictionHistory {
  putPrediction(p: Prediction): Promise<void>;
  realisePrediction(pair: string, window: string, madeAt: number, close: number): Promise<void>;
}

export class LivePredictions {
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

  /** Call after `rows` are in the stores. */
  async onRows(rows: readonly FeatureRow[]): Promise<void> {
    for (const row of rows) {
      const predictor = this.#byKey.get(`${row.pair}|${row.window}`);
      if (!predictor) continue;
      try {
        await this.#realise(row, predictor.horizon);
        await this.#predict(row, predictor);
      } catch (e) {
        this.failures++;
        this.log.error(
          `prediction for ${row.pair} ${row.window} at ${row.window_end} failed: ${(e as Error).message}`,
        );
      }
    }
  }

  async #realise(row: FeatureRow, horizon: number): Promise<void> {
    const madeAt = row.window_end - horizon * WINDOW_MS[row.window];
    if (await this.predictions.realise(row.pair, row.window, madeAt, row.close)) this.realised++;
    await this.history?.realisePrediction(row.pair, row.window, madeAt, row.close);
  }

  async #predict(row: FeatureRow, predictor: Predictor): Promise<void> {
    const W = WINDOW_MS[row.window];
    let predicted = row.close;
    let model: Prediction["model"] = { name: "naive", version: null };
    const current = predictor.current;
    if (current) {
      // Read back from the store, the way /predict reads it, so both feed the model the same row.
      const input = await this.online.modelRow(
        row.pair,
        row.window,
        current.card.other_pairs,
        row.window_start,
      );
      if (!input) throw new Error("the row is not in the online store");
      const p = await predictor.predict(input);
      predicted = p.predicted_close;
      model = p.model;
    }
    const prediction: Prediction = {
      pair: row.pair,
      window: row.window,
      made_at: row.window_end,
      horizon: predictor.horizon,
      horizon_s: (predictor.horizon * W) / 1000,
      current_close: row.close,
      predicted_close: predicted,
      model,
      realised_close: null,
    };
    if (!(await this.predictions.put(prediction))) return;
    await this.history?.putPrediction(prediction);
    this.made++;
  }
}

/**
 * The stores' upsert with predictions after it, for the rows `isLive` accepts (loading history
 * through REST is not prediction); `isLive` may judge each row (see src/system/live_rows.ts).
 */
export function predictingUpsert(
  stores: { upsert(rows: readonly FeatureRow[]): Promise<void> },
  live: LivePredictions,
  isLive: (row: FeatureRow) => boolean,
): { upsert(rows: readonly FeatureRow[]): Promise<void> } {
  return {
    async upsert(rows) {
      await stores.upsert(rows);
      const current = rows.filter((r) => isLive(r));
      if (current.length > 0) await live.onRows(current);
    },
  };
}
