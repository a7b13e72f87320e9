/**
 * How good a price prediction is, on the close it implies: MAE and RMSE of the predicted close,
 * MAE of the return, directional accuracy on the moves that happened (a flat target is no
 * direction; a prediction of exactly no change is never right about one), and skill against the
 * naive "no change" prediction: 1 − MAE_model / MAE_naive.
 */
import type { ModelConfig } from "./models.ts";

export interface PriceMetrics {
  n: number;
  mae: number;
  rmse: number;
  mae_return: number;
  directional_accuracy: number | null;
  /**
   * The share of the moves on which the model made a call (predicted a change), and how often those
   * calls were right: a model that predicts no change on a fold has no direction there, which
   * `directional_accuracy` counts as wrong (absent on older cards).
   */
  calls?: number | null;
  call_accuracy?: number | null;
  skill: number;
}

/** Metrics of predicted log returns `pred[k]` for rows `idx[k]`. */
export function priceMetrics(
  pred: ArrayLike<number>,
  idx: ArrayLike<number>,
  data: { close: Float64Array; targetClose: Float64Array; y: Float64Array },
): PriceMetrics {
  let ae = 0, se = 0, aeNaive = 0, aeRet = 0, moves = 0, right = 0, called = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    const close = data.close[i]!, target = data.targetClose[i]!, actual = data.y[i]!;
    const p = pred[k]!;
    const err = close * Math.exp(p) - target;
    ae += Math.abs(err);
    se += err * err;
    aeNaive += Math.abs(close - target);
    aeRet += Math.abs(p - actual);
    if (actual !== 0) {
      moves++;
      if (p !== 0) called++;
      if (Math.sign(p) === Math.sign(actual)) right++;
    }
  }
  const n = idx.length;
  const mae = n ? ae / n : NaN;
  const maeNaive = n ? aeNaive / n : NaN;
  return {
    n,
    mae,
    rmse: n ? Math.sqrt(se / n) : NaN,
    mae_return: n ? aeRet / n : NaN,
    directional_accuracy: moves ? right / moves : null,
    calls: moves ? called / moves : null,
    call_accuracy: called ? right / called : null,
    skill: maeNaive > 0 ? 1 - mae / maeNaive : 0,
  };
}

/** A model's metrics beside the baselines' on the same rows. */
export interface Compared {
  model: PriceMetrics;
  naive: PriceMetrics;
  sma: PriceMetrics;
  /** Each fold's median training return as a constant forecast (absent on older cards). */
  drift?: PriceMetrics;
}

export interface FoldReport extends Compared {
  fold: number;
  /** The setting the fold was tested with, chosen before its test rows (absent on older cards). */
  setting?: ModelConfig;
  train: { rows: number; from: number; to: number };
  test: { rows: number; from: number; to: number };
}
