/**
 * The one setting the test folds see: the mean of the search's best few settings, shrunk toward
 * "no change" by the factor in [0, 1] that minimises the MAE of that mean on the validation rows
 * (the same rows, inside the training folds, the search scored on). Averaging settings whose
 * validation scores are all but tied costs little and steadies which one wins; shrinking a weak
 * return forecast trades a little of its signal for much less of its noise.
 */
import type { BlendConfig, SingleConfig } from "./models.ts";
import type { Scored, Trial } from "./search.ts";

/**
 * Settings averaged: the search's best 20, so at the default budget every setting it tried. Which
 * settings rank best on a few hundred validation rows is mostly luck, so the mean of them all, shrunk
 * as its validation rows say, predicts better out of sample than the mean of the top few.
 */
export const BLEND_MEMBERS = 20;
/** The shrink factors tried: 0, 0.05, …, 1. */
export const SHRINK_GRID: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

function mae(pred: Float64Array, scale: number, y: ArrayLike<number>, rows: Uint32Array): number {
  let sum = 0;
  for (let k = 0; k < rows.length; k++) sum += Math.abs(scale * pred[k]! - y[rows[k]!]!);
  return sum / rows.length;
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
  let factor = 1, score = mae(mean, 1, y, scored.rows);
  if (shrink === "auto") {
    score = Infinity;
    for (const s of SHRINK_GRID) {
      const m = mae(mean, s, y, scored.rows);
      // Ties go to the smaller factor: no evidence for a signal is a reason to predict less of it.
      if (m < score) [factor, score] = [s, m];
    }
  }
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
): Trial {
  if (members === 1 && shrink === "off") return scored.trials[0]!;
  return chooseBlend(scored, y, members, shrink);
}
