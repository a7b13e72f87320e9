/**
 * The one setting the test folds see: the mean of the search's best few settings, shrunk toward
 * "no change" by a factor in [0, 1] chosen on the validation rows (the same rows, inside the
 * training folds, the search scored on). Averaging settings whose validation scores are all but
 * tied costs little and steadies which one wins; shrinking a weak return forecast trades a little
 * of its signal for much less of its noise.
 *
 * The factor is bagged: the factor minimising the MAE is found on each of `SHRINK_RESAMPLES` block
 * bootstrap resamples of the validation rows, and their mean kept. On a few hundred rows the
 * minimising factor of the rows themselves jumps between 0 and 1 on a handful of candles; its
 * bootstrap mean moves smoothly with the evidence (Breiman's bagging of an unstable estimator).
 */
import type { BlendConfig, SingleConfig } from "./models.ts";
import type { Scored, Trial } from "./search.ts";
import { seededRandom } from "../util/random.ts";

/**
 * Settings averaged: the search's best 20, so at the default budget every setting it tried. Which
 * settings rank best on a few hundred validation rows is mostly luck, so the mean of them all, shrunk
 * as its validation rows say, predicts better out of sample than the mean of the top few.
 */
export const BLEND_MEMBERS = 20;
/** The shrink factors tried: 0, 0.05, …, 1. */
export const SHRINK_GRID: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

/** Bootstrap resamples the shrink factor is averaged over. */
export const SHRINK_RESAMPLES = 200;

function mae(pred: Float64Array, scale: number, y: ArrayLike<number>, rows: Uint32Array): number {
  let sum = 0;
  for (let k = 0; k < rows.length; k++) sum += Math.abs(scale * pred[k]! - y[rows[k]!]!);
  return sum / rows.length;
}

/**
 * The mean over block bootstrap resamples of the MAE-minimising factor of `pred` on `rows`.
 * Consecutive rows' errors are related (overlapping targets, volatility clusters), so whole blocks
 * of rows are drawn: n^(1/3) rows, the usual order for a block bootstrap, and at least `horizon`.
 * Each block's loss at every factor is summed once, so a resample costs a sum over blocks.
 * Seeded: the same rows give the same factor.
 */
export function baggedShrink(
  pred: Float64Array,
  y: ArrayLike<number>,
  rows: Uint32Array,
  horizon = 1,
  resamples = SHRINK_RESAMPLES,
): number {
  const n = rows.length, G = SHRINK_GRID.length;
  const size = Math.max(horizon, Math.round(Math.cbrt(n)), 1);
  const blocks = Math.ceil(n / size);
  const blockLoss = new Float64Array(blocks * G);
  for (let k = 0; k < n; k++) {
    const b = Math.floor(k / size), target = y[rows[k]!]!;
    for (let g = 0; g < G; g++) blockLoss[b * G + g]! += Math.abs(SHRINK_GRID[g]! * pred[k]! - target);
  }
  const random = seededRandom(1);
  const sums = new Float64Array(G);
  let total = 0;
  for (let r = 0; r < resamples; r++) {
    sums.fill(0);
    for (let j = 0; j < blocks; j++) {
      const b = Math.floor(random() * blocks);
      for (let g = 0; g < G; g++) sums[g]! += blockLoss[b * G + g]!;
    }
    let best = 0;
    // Ties go to the smaller factor: no evidence for a signal is a reason to predict less of it.
    for (let g = 1; g < G; g++) if (sums[g]! < sums[best]!) best = g;
    total += SHRINK_GRID[best]!;
  }
  // A mean of grid factors is a multiple of 0.05 / resamples: rounded, so cards read 0.175, not 0.17499….
  return Math.round((total / resamples) * 1e4) / 1e4;
}

/**
 * The blend of the best `members` trials of `scored` and its shrink; its score is its validation
 * MAE of the return, as a trial's is.
 *
 * @example
 * ```ts
 * const scored = searchScored(ds, folds, candidates("auto", 20, 1), embargo);
 * const best = chooseBlend(scored, ds.y); // best.config.kind === "blend"
 * ```
 */
export function chooseBlend(
  scored: Scored,
  y: ArrayLike<number>,
  members: number = BLEND_MEMBERS,
  shrink: "auto" | "off" = "auto",
  horizon = 1,
): Trial & { config: BlendConfig } {
  if (!Number.isInteger(members) || members < 1) {
    throw new RangeError(`blend members must be a whole number ≥ 1, got ${members}`);
  }
  const top = scored.trials.slice(0, members);
  if (top.length === 0) throw new Error("no settings were scored");
  const mean = new Float64Array(scored.rows.length);
  top.forEach((_, j) => {
    const p = scored.predictions[j]!;
    for (let k = 0; k < mean.length; k++) mean[k]! += p[k]! / top.length;
  });
  const factor = shrink === "auto" ? baggedShrink(mean, y, scored.rows, horizon) : 1;
  const score = mae(mean, factor, y, scored.rows);
  const config: BlendConfig = {
    kind: "blend",
    members: top.map((t) => t.config as SingleConfig),
    shrink: factor,
  };
  return { config, score };
}

/**
 * The setting the test folds see: the blend of `chooseBlend`, or with one member and no shrink,
 * the search's best setting itself (the model as it was before blends).
 */
export function chooseSetting(
  scored: Scored,
  y: ArrayLike<number>,
  members: number,
  shrink: "auto" | "off",
  horizon = 1,
): Trial {
  if (members === 1 && shrink === "off") return scored.trials[0]!;
  return chooseBlend(scored, y, members, shrink, horizon);
}
