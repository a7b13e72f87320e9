/**
 * Streaming predictions: every live feature row of a tracked series gets a prediction from the
 * promoted model (or the naive "no change", labelled `naive`, when there is none), written to the
 * online store and, where this process owns it, the offline history (`predict()` computes them,
 * `persist()` writes them after the rows). The
 * same row realises the predictions made `horizon` candles before it, which keeps live MAE of
 * model and naive per series. A failure here is logged and never stops the ingest.
 */
import { type Window, WINDOW_MS } from "../domain/candle.ts";
import { interval, servingQuantiles } from "../model/conformal.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import type { Prediction, ShadowForecasts } from "../domain/prediction.ts";
import { cardOtherPairs, type ModelCard } from "../domain/model_card.ts";
import type { PointPrediction, Predictor } from "../domain/ports.ts";
import type { KvFeatureStore } from "../stores/online_kv.ts";
import type { KvPredictionStore } from "../stores/prediction_store.ts";
import type { Forecast } from "../stages/batch.ts";
import type { RowForecaster, UnsavedRows } from "../stages/predict.ts";
import { type Logger, silent } from "../util/log.ts";

export interface PredictionHistory {
  putPrediction(p: Prediction): Promise<void>;
  realisePrediction(pair: string, window: string, madeAt: number, close: number): Promise<void>;
}

/** The model loop as the predictions see it: the challenger to run in shadow, and where realised ones go. */
export interface ShadowLoop {
  challenger(pair: string, window: string): ShadowModel | null;
  onRealised(p: Prediction): Promise<void>;
}

/** A model run in shadow: its predictions are stored beside the served ones, never served. */
export interface ShadowModel {
  readonly version: string;
  readonly model: { card: Pick<ModelCard, "other_pairs" | "other_pairs_lag"> };
  predict(row: Parameters<Predictor["predict"]>[0]): Promise<PointPrediction>;
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
    readonly loop: ShadowLoop | null = null,
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

  /**
   * Stores forecasts in order, each realisation before its prediction, whose intervals are drawn
   * then; a failure is logged and skipped.
   */
  async write(forecasts: readonly Forecast[]): Promise<void> {
    for (const forecast of forecasts) {
      const r = forecast.realises;
      let prediction = forecast.prediction;
      try {
        const done = await this.predictions.realise(r.pair, r.window, r.made_at, r.close);
        if (done) {
          this.realised++;
          await this.loop?.onRealised(done);
        }
        await this.history?.realisePrediction(r.pair, r.window, r.made_at, r.close);
        if (prediction === null) continue;
        prediction = await this.#withLearntBands(prediction);
        // The forecast now holds the prediction as stored: what the predictions topic publishes.
        forecast.prediction = prediction;
        if (await this.predictions.put(prediction)) {
          await this.history?.putPrediction(prediction);
          this.made++;
        } else if (this.history) {
          // Made before (a replay): the history gets the stored one, in case a crash came between the
          // two writes; it replaces by key, so a second copy changes nothing.
          const stored = await this.predictions.get(prediction.pair, prediction.window, prediction.made_at);
          if (stored) await this.history.putPrediction(stored);
        }
      } catch (e) {
        this.#failed(r.pair, r.window, prediction?.made_at ?? r.made_at, e);
      }
    }
  }

  /**
   * The prediction's intervals drawn from what its version has learnt of every close realised
   * up to its own row, read afresh: so the stored intervals are the same however the rows were
   * batched, replayed or split over processes.
   */
  async #withLearntBands(p: Prediction): Promise<Prediction> {
    const current = this.#byKey.get(`${p.pair}|${p.window}`)?.current;
    const card = current?.version === p.model.version ? current.card.intervals?.model : undefined;
    if (!card || !p.interval_scale || p.model.reason) return p;
    const state = await this.predictions.intervalState(p.pair, p.window, current!.version);
    const bands = {
      floor: card.floor,
      q: servingQuantiles(card, state, p.made_at - WINDOW_MS[p.window as Window]),
    };
    const r = Math.log(p.predicted_close / p.current_close);
    return {
      ...p,
      interval_80: interval(p.current_close, r, p.interval_scale, bands, 0.8),
      interval_95: interval(p.current_close, r, p.interval_scale, bands, 0.95),
    };
  }

  #failed(pair: string, window: string, at: number, e: unknown): void {
    this.failures++;
    this.log.error(`prediction for ${pair} ${window} at ${at} failed: ${(e as Error).message}`);
  }

  async #predict(row: FeatureRow, predictor: Predictor, unsaved?: UnsavedRows): Promise<Prediction> {
    const W = WINDOW_MS[row.window];
    let predicted = row.close;
    let model: Prediction["model"] = { name: "naive", version: null };
    let bands: Pick<Prediction, "interval_80" | "interval_95" | "interval_scale"> = {
      interval_80: null,
      interval_95: null,
      interval_scale: null,
    };
    let shadow: ShadowForecasts | undefined;
    const current = predictor.current;
    if (current) {
      // The row as the store serves it to /predict (with the rows still on their way to it), so
      // both feed the model the same input.
      const input = await this.online.modelRow(
        row.pair,
        row.window,
        cardOtherPairs(current.card),
        row.window_start,
        unsaved,
      );
      if (!input) throw new Error("the row is not in the online store");
      // The model runs even while the series serves naive: the loop keeps judging it.
      const p = await (predictor.predictModel ?? predictor.predict).call(predictor, input);
      if (predictor.fallback) {
        model = { name: "naive", version: null, reason: predictor.fallback };
      } else {
        predicted = p.predicted_close;
        model = p.model;
        bands = { interval_80: p.interval_80, interval_95: p.interval_95, interval_scale: p.interval_scale };
      }
      if (this.loop) {
        shadow = { champion: { version: current.version, predicted_close: p.predicted_close } };
        const challenger = this.loop.challenger(row.pair, row.window);
        if (challenger) {
          try {
            const others = cardOtherPairs(challenger.model.card);
            const served = cardOtherPairs(current.card);
            const same = others.pairs.join() === served.pairs.join() && others.lag === served.lag;
            const cInput = same
              ? input
              : await this.online.modelRow(row.pair, row.window, others, row.window_start, unsaved);
            if (cInput) {
              const c = await challenger.predict(cInput);
              shadow.challenger = { version: challenger.version, predicted_close: c.predicted_close };
            }
          } catch (e) {
            this.log.warn(
              `challenger ${challenger.version} of ${row.pair} ${row.window}: ${(e as Error).message}`,
            );
          }
        }
      }
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
      ...(shadow ? { shadow } : {}),
    };
  }
}
