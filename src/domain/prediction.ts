/** A prediction as stored and served: made when a candle closed, judged when its horizon has passed. */
export interface Prediction {
  pair: string;
  window: string;
  /** The close time of the candle it was made from (its `window_end`), epoch ms. */
  made_at: number;
  horizon: number;
  horizon_s: number;
  current_close: number;
  predicted_close: number;
  /** `naive` (no change) when no model was promoted. */
  model: { name: string; version: string | null };
  /** The close `horizon` candles later, once known. */
  realised_close: number | null;
}

/** Running sums of live errors, per pair and window. */
export interface LiveErrors {
  n: number;
  /** Mean absolute error of the predictions, and of "no change", over the realised ones. */
  mae_model: number | null;
  mae_naive: number | null;
}
