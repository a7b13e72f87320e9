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
    if (predictor.current) {
      const news = await this.online.newsAt(row.pair.split("/")[0]!, row.window_end);
      const others: Record<string, number | null> = {};
      for (const name of predictor.current.others) {
        const [pair, column] = name.split(":") as [string, string];
        const other = await this.online.latest(pair, row.window);
        others[name] = other && other.window_start === row.window_start
          ? (other as unknown as Record<string, number | null>)[column] ?? null
          : null;
      }
      const p = await predictor.predict({ ...row, ...news, others });
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
 * The stores' upsert with predictions after it, for rows stored while the source is live
 * (loading history through REST is not prediction).
 */
export function predictingUpsert(
  stores: { upsert(rows: readonly FeatureRow[]): Promise<void> },
  live: LivePredictions,
  isLive: () => boolean,
): { upsert(rows: readonly FeatureRow[]): Promise<void> } {
  return {
    async upsert(rows) {
      await stores.upsert(rows);
      if (isLive()) await live.onRows(rows);
    },
  };
}
