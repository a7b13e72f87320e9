/**
 * A budgeted random search of model settings, seeded so a run repeats. Settings are scored
 * without the test folds: on each walk-forward fold, fitted on the first 80% of the fold's
 * training rows and scored (MAE of the return) on the rest, an embargo apart. The test folds
 * only ever see the chosen setting.
 */
import type { Dataset } from "./dataset.ts";
import { takeRows } from "./dataset.ts";
import type { Fold } from "./folds.ts";
import { fitOn } from "./evaluate.ts";
import type { GbdtParams } from "./gbdt.ts";
import type { ModelConfig } from "./models.ts";
import { seededRandom } from "../util/random.ts";

export type ModelChoice = "auto" | "gbdt" | "ridge";

export interface Trial {
  config: ModelConfig;
  /** Mean validation MAE of the log return over the folds. */
  score: number;
}

const logUniform = (r: () => number, lo: number, hi: number) =>
  Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo)));
const intIn = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

export function candidates(choice: ModelChoice, budget: number, seed: number): ModelConfig[] {
  const r = seededRandom(seed);
  const out: ModelConfig[] = [];
  const ridgeBudget = choice === "ridge"
    ? budget
    : choice === "auto"
    ? Math.max(1, Math.round(budget / 4))
    : 0;
  for (let i = 0; i < ridgeBudget; i++) {
    // An even log grid over 1e-4 .. 1e3, so a small budget still spans it.
    const lambda = ridgeBudget === 1 ? 1e-2 : 10 ** (-4 + (7 * i) / (ridgeBudget - 1));
    out.push({ kind: "ridge", lambda });
  }
  for (let i = out.length; i < budget; i++) {
    const params: Partial<GbdtParams> = {
      loss: (["l2", "huber", "l1"] as const)[intIn(r, 0, 2)]!,
      learningRate: logUniform(r, 0.01, 0.2),
      maxDepth: intIn(r, 2, 6),
      maxLeaves: intIn(r, 4, 31),
      minSamplesLeaf: intIn(r, 20, 200),
      subsample: 0.5 + r() * 0.5,
      colsample: 0.5 + r() * 0.5,
      lambda: logUniform(r, 0.1, 10),
      rounds: 300,
      seed,
    };
    out.push({ kind: "gbdt", params });
  }
  return out;
}

/** Scores every candidate on the folds' training rows only; best (lowest) first. */
export function search(
  ds: Dataset,
  folds: readonly Fold[],
  configs: readonly ModelConfig[],
  embargoRows: number,
  onTrial?: (done: number, trial: Trial) => void,
): Trial[] {
  const F = ds.features.length;
  const trials: Trial[] = [];
  for (const config of configs) {
    let sum = 0, count = 0;
    for (const fold of folds) {
      const n = fold.train.length;
      const cut = Math.floor(n * 0.8);
      const fit = fold.train.subarray(0, Math.max(0, cut - embargoRows));
      const valid = fold.train.subarray(cut);
      if (fit.length < 50 || valid.length === 0) continue;
      const model = fitOn(ds, fit, config);
      const pred = model.predict(takeRows(ds.X, F, valid), valid.length);
      for (let k = 0; k < valid.length; k++) sum += Math.abs(pred[k]! - ds.y[valid[k]!]!);
      count += valid.length;
    }
    if (count === 0) {
      throw new Error("the folds are too short to score settings: use fewer folds or more data");
    }
    const trial = { config, score: sum / count };
    trials.push(trial);
    onTrial?.(trials.length, trial);
  }
  return trials.sort((a, b) => a.score - b.score);
}
