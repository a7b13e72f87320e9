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

/** Fewest blocks a resample draws from, so a long horizon on few rows still resamples something. */
const MIN_BLOCKS = 8;

/**
 * The mean over block bootstrap resamples of the MAE-minimising factor of `pred` on `rows`.
 * Consecutive rows' errors are related (overlapping targets, volatility clusters), so whole blocks
 * of rows are drawn: n^(1/3) rows, the usual order for a block bootstrap, and at least `horizon`,
 * as long as that leaves `MIN_BLOCKS` of them. Blocks are cut within each fold's validation rows
 * (`ends`, where each one ends in `rows`), never across two. Each block's loss at every factor is
 * summed once, so a resample costs a sum over blocks. Seeded with a fixed seed: the same rows give
 * the same factor.
 */
export function baggedShrink(
  pred: Float64Array,
  y: ArrayLike<number>,
  rows: Uint32Array,
  horizon = 1,
  ends: readonly number[] = [rows.length],
  resamples = SHRINK_RESAMPLES,
): number {
  const n = rows.length, G = SHRINK_GRID.length;
  if (n === 0) throw new RangeError("no validation rows to choose a shrink factor on");
  const size = Math.max(1, Math.min(Math.max(horizon, Math.round(Math.cbrt(n))), Math.floor(n / MIN_BLOCKS)));
  const bounds: number[] = [];
  let from = 0;
  for (const end of ends) {
    for (let at = from; at < end; at += size) bounds.push(at);
    from = end;
  }
  bounds.push(n);
  const blocks = bounds.length - 1;
  const blockLoss = new Float64Array(blocks * G);
  for (let b = 0; b < blocks; b++) {
    for (let k = bounds[b]!; k < bounds[b + 1]!; k++) {
      const target = y[rows[k]!]!;
      for (let g = 0; g < G; g++) blockLoss[b * G + g]! += Math.abs(SHRINK_GRID[g]! * pred[k]! - target);
    }
  }
  const random = seededRandom(1);
  const sums = new Float64Array(G);
  let steps = 0;
  for (let r = 0; r < resamples; r++) {
    sums.fill(0);
    for (let j = 0; j < blocks; j++) {
      const b = Math.floor(random() * blocks);
      for (let g = 0; g < G; g++) sums[g]! += blockLoss[b * G + g]!;
    }
    let best = 0;
    // Ties go to the smaller factor: no evidence for a signal is a reason to predict less of it.
    for (let g = 1; g < G; g++) if (sums[g]! < sums[best]!) best = g;
    steps += best;
  }
  // Grid steps are counted whole, so the mean is one division (0.17625, not 0.17624999…).
  return steps / ((G - 1) * resamples);
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
  const ends = scored.splits.map((s) => s.end);
  const factor = shrink === "auto" ? baggedShrink(mean, y, scored.rows, horizon, ends) : 1;
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
