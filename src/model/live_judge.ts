/**
 * Judging models on live evidence: the realised absolute errors of two forecasters on the same
 * rows, compared with the Diebold–Mariano test (`diebold_mariano.ts`). Used to promote a challenger
 * that shadowed the champion, to retire one that did not earn it, and to fall back to naive when
 * the champion is worse than no change.
 */
import { dieboldMariano, type DmResult } from "./diebold_mariano.ts";

export type { DmResult } from "./diebold_mariano.ts";

/** Realised absolute errors of the champion, a challenger (if any) and naive, on the same rows. */
export interface LiveErrors {
  champion: number[];
  naive: number[];
  challenger?: number[];
}

export type ShadowVerdict =
  | { decision: "waiting"; realised: number; needed: number }
  | {
    decision: "promote" | "retire";
    reason: string;
    vsChampion: DmResult;
    vsNaive: DmResult;
    /** The forecaster the challenger was held against: the DM p-value its reason gives. */
    against: "champion" | "naive";
  };

/**
 * Which forecaster a challenger would replace: a champion serving within its maximum age, one past
 * it (due for retraining), or naive (the champion expired or is on fallback).
 */
export type Serving = "champion" | "aged" | "naive";

/**
 * The verdict on a challenger once it has `shadow` realised predictions beside the champion's.
 * - While a champion within its maximum age serves, the challenger is promoted only if its live MAE
 *   is below both the champion's and naive's on the same rows and the difference from the champion
 *   is significant at `alpha` (one-sided DM): swapping a serving model for one no better is churn.
 * - Once the champion's data is past the maximum age, the challenger, trained on fresher data, is
 *   promoted if its live MAE is below both, significant or not: freshness breaks the tie, where
 *   asking for significance would keep the old champion until it expires whenever the retrained
 *   model is merely as good.
 * - While naive serves, the champion is out of service and no longer the bar: the challenger, which
 *   beat naive on its walk-forward folds to be here, is promoted if its live MAE is below naive's.
 * Otherwise it is retired.
 */
export function judgeChallenger(
  errors: Required<LiveErrors>,
  options: { shadow: number; alpha: number; horizon: number; serving?: Serving },
): ShadowVerdict {
  const n = Math.min(errors.challenger.length, errors.champion.length, errors.naive.length);
  if (n < options.shadow) return { decision: "waiting", realised: n, needed: options.shadow };
  const last = <T>(xs: T[]) => xs.slice(xs.length - n);
  const ch = last(errors.challenger), champ = last(errors.champion), naive = last(errors.naive);
  const vsChampion = dieboldMariano(ch, champ, options.horizon);
  const vsNaive = dieboldMariano(ch, naive, options.horizon);
  const mae = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const [m, c, z] = [mae(ch), mae(champ), mae(naive)];
  const fmt = (x: number) => x.toPrecision(5);
  const against = options.serving === "naive" ? "naive" : "champion";
  const verdict = (promote: boolean, why: string, stats: string): ShadowVerdict => ({
    decision: promote ? "promote" : "retire",
    reason: `${why}: ${stats}`,
    vsChampion,
    vsNaive,
    against,
  });
  if (options.serving === "naive") {
    const stats = `live MAE ${fmt(m)} vs naive ${fmt(z)} (the champion out of service: ${
      fmt(c)
    }) on ${n} rows, DM p=${vsNaive.pBetter.toPrecision(3)}`;
    return m < z
      ? verdict(true, "beats naive live while naive serves", stats)
      : verdict(false, "not better than naive", stats);
  }
  const stats = `live MAE ${fmt(m)} vs champion ${fmt(c)} and naive ${fmt(z)} on ${n} rows, DM p=${
    vsChampion.pBetter.toPrecision(3)
  }`;
  if (m >= z) return verdict(false, "not better than naive", stats);
  if (m >= c) return verdict(false, "not better than the champion", stats);
  if (options.serving === "aged") {
    return verdict(true, "beats the champion, past its maximum age, live", stats);
  }
  return vsChampion.pBetter < options.alpha
    ? verdict(true, "beats the champion live", stats)
    : verdict(false, "not significantly better", stats);
}

export interface GuardState {
  /** Serving naive instead of the champion. */
  fallback: boolean;
  reason: string;
}

/**
 * The champion's guard over its last `guard` realised predictions: it falls back to naive when its
 * live MAE is significantly worse than naive's (one-sided DM at `alpha`) and by more than `margin`
 * of naive's MAE. Once on fallback it stays
 * there until a challenger earns promotion, or the champion's shadow errors over a later window are
 * no longer worse at all (MAE at or below naive's): a wide gap between the two thresholds, so the
 * series does not flap.
 */
export function guard(
  state: GuardState,
  errors: Pick<LiveErrors, "champion" | "naive">,
  options: { guard: number; alpha: number; horizon: number; margin?: number },
): GuardState {
  const n = Math.min(errors.champion.length, errors.naive.length, options.guard);
  if (n < options.guard) return state;
  const champ = errors.champion.slice(-n), naive = errors.naive.slice(-n);
  const dm = dieboldMariano(champ, naive, options.horizon);
  const mae = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const stats = `live MAE ${mae(champ).toPrecision(5)} vs naive ${
    mae(naive).toPrecision(5)
  } over ${n} rows, DM p=${dm.pWorse.toPrecision(3)}`;
  // A champion that barely moves off "no change" can be significantly worse by a hair: falling back
  // then changes nothing a user would notice, so the loss must also be `margin` worse (relative).
  const material = mae(champ) > mae(naive) * (1 + (options.margin ?? 0));
  if (!state.fallback && dm.pWorse < options.alpha && material) {
    return { fallback: true, reason: `champion significantly worse than naive: ${stats}` };
  }
  if (state.fallback && dm.meanDiff <= 0) {
    return { fallback: false, reason: `champion no longer worse than naive: ${stats}` };
  }
  return state;
}

export type AgeVerdict = "fresh" | "retrain" | "expired";

/**
 * A champion trained on candles up to `trainedTo` is due for retraining once the data it serves is
 * `maxAgeMs` past that, and expires (falls back to naive) at twice that.
 */
export function modelAge(trainedTo: number, now: number, maxAgeMs: number): AgeVerdict {
  const age = now - trainedTo;
  return age >= 2 * maxAgeMs ? "expired" : age >= maxAgeMs ? "retrain" : "fresh";
}
