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
  /**
   * `naive` (no change) when no model was promoted, or when the series has fallen back to naive
   * (then `reason` says why).
   */
  model: { name: string; version: string | null; reason?: string };
  /** The close `horizon` candles later, once known. */
  realised_close: number | null;
  /**
   * Central 80% and 95% prediction intervals of that close, [lower, upper]; null from a model
   * without calibrated intervals (and absent on predictions stored before they existed).
   */
  interval_80?: [number, number] | null;
  interval_95?: [number, number] | null;
  /**
   * The σ the intervals were drawn with (the row's realised volatility, floored), so the realised
   * close gives the calibration a new score; null without intervals.
   */
  interval_scale?: number | null;
  /**
   * What the champion and the challenger in shadow predicted at the same row, served or not, so
   * both are judged on live data beside naive once the close is known (absent where no loop runs).
   */
  shadow?: ShadowForecasts;
}

/** The closes the loop's models predicted at one row. */
export interface ShadowForecasts {
  champion?: { version: string; predicted_close: number };
  challenger?: { version: string; predicted_close: number };
}

/** What serving's intervals have learnt from live closes, for one model version of one series. */
export interface LiveIntervalState {
  version: string;
  /** Σ (miss − (1 − L)) over the live closes, by level: added to the card's drift. */
  drift: Record<string, number>;
  /** The newest live scores and their rows' times (window starts), oldest first. */
  scores: number[];
  times: number[];
}

/** Running sums of live errors, per pair and window. */
export interface LiveErrors {
  n: number;
  /** Mean absolute error of the predictions, and of "no change", over the realised ones. */
  mae_model: number | null;
  mae_naive: number | null;
  /** Share of realised closes inside the 80% and 95% intervals, over the predictions that had them. */
  coverage_80: number | null;
  coverage_95: number | null;
}

/** What a prediction store keeps per series to answer {@linkcode LiveErrors}. */
export interface LiveSums {
  n: number;
  model: number;
  naive: number;
  /** Realised predictions that carried intervals, and how many closes fell inside each. */
  intervals?: number;
  inside_80?: number;
  inside_95?: number;
}

/** 1 when `close` falls inside `band`, 0 when outside or there is no band. */
export const inside = (band: [number, number] | null | undefined, close: number): 0 | 1 =>
  band ? (close >= band[0] && close <= band[1] ? 1 : 0) : 0;

/** The sums after `p` is realised by `close`. */
export function addRealised(s: LiveSums | null, p: Prediction, close: number): LiveSums {
  const has = p.interval_80 && p.interval_95 ? 1 : 0;
  return {
    n: (s?.n ?? 0) + 1,
    model: (s?.model ?? 0) + Math.abs(p.predicted_close - close),
    naive: (s?.naive ?? 0) + Math.abs(p.current_close - close),
    intervals: (s?.intervals ?? 0) + has,
    inside_80: (s?.inside_80 ?? 0) + (has && inside(p.interval_80, close)),
    inside_95: (s?.inside_95 ?? 0) + (has && inside(p.interval_95, close)),
  };
}

export function liveErrorsOf(s: LiveSums | null): LiveErrors {
  const k = s?.intervals ?? 0;
  const coverage = {
    coverage_80: k ? (s!.inside_80 ?? 0) / k : null,
    coverage_95: k ? (s!.inside_95 ?? 0) / k : null,
  };
  if (!s || s.n === 0) return { n: 0, mae_model: null, mae_naive: null, ...coverage };
  return { n: s.n, mae_model: s.model / s.n, mae_naive: s.naive / s.n, ...coverage };
}
