/**
 * The compute of a training run, free of I/O so it can run in a Worker: folds, the leakage
 * check, the search, the blend of its best settings and its shrink, the walk-forward evaluation
 * of that one setting (and of the promoted model's setting on the same folds), and the final fit
 * on every row. Everything it returns is plain data (structured-cloneable).
 */
import { WINDOW_MS } from "../domain/candle.ts";
import type { Dataset } from "./dataset.ts";
import { type IntervalReport, intervalReport } from "./conformal.ts";
import { type Importance, importance as featureImportance } from "./importance.ts";
import { checkLeakage, type Evaluation, fitOn, walkForward } from "./evaluate.ts";
import { type Fold, walkForwardFolds } from "./folds.ts";
import { BLEND_MEMBERS, chooseSetting } from "./blend.ts";
import { describe, type ModelConfig, type PriceModel } from "./models.ts";
import { candidates, type ModelChoice, searchScored, type Trial } from "./search.ts";

export interface FitRunInput {
  ds: Dataset;
  choice: ModelChoice;
  folds: number;
  budget: number;
  seed: number;
  embargo?: number | undefined;
  /** Best settings averaged into the model (default `BLEND_MEMBERS`). */
  blend?: number | undefined;
  /** "off" keeps the blend's forecast at full size (default "auto": shrunk as the validation rows say). */
  shrink?: "auto" | "off" | undefined;
  /** The promoted version's inputs and setting, to be re-evaluated on the same folds. */
  promoted: { version: string; features: string[]; model: ModelConfig } | null;
}

export interface FitRunOutput {
  folds: Fold[];
  configs: number;
  /** The settings searched, best first. */
  trials: Trial[];
  /** What the test folds see: a shrunk blend of the best trials, chosen on the validation rows. */
  best: Trial;
  evaluation: Evaluation;
  /** Conformal prediction intervals of the chosen setting: per-fold coverage and the served quantiles. */
  intervals: IntervalReport;
  promotedMae: { version: string; mae: number } | null;
  /** Set when the promoted model cannot be compared on this dataset. */
  notComparable: string | null;
  final: PriceModel;
  /** Why the final model predicts what it does, per input. */
  importance: Importance;
}

/** The dataset restricted to the named features, in that order (for an older model's inputs). */
function withFeatures(ds: Dataset, names: readonly string[]): Dataset | null {
  const idx = names.map((n) => ds.features.indexOf(n));
  if (idx.some((i) => i < 0)) return null;
  const F = ds.features.length, G = names.length;
  const X = new Float64Array(ds.n * G);
  for (let i = 0; i < ds.n; i++) for (let g = 0; g < G; g++) X[i * G + g] = ds.X[i * F + idx[g]!]!;
  return { ...ds, features: [...names], X };
}

export function fitRun(
  input: FitRunInput,
  onStep: (message: string) => void = () => {},
  onTrial?: (done: number, total: number, trial: Trial) => void,
): FitRunOutput {
  const { ds } = input;
  if (ds.n === 0) {
    throw new Error(`no warm ${ds.pair} ${ds.window} rows with a realised target in the offline store`);
  }
  const embargo = Math.max(ds.horizon, input.embargo ?? ds.horizon);
  const folds = walkForwardFolds(ds.time, { folds: input.folds, embargoMs: embargo * WINDOW_MS[ds.window] });
  checkLeakage(ds, folds.at(-1)!.train);

  const configs = candidates(input.choice, input.budget, input.seed);
  onStep(
    `searching ${configs.length} settings (${input.choice}) on the training side of ${folds.length} folds`,
  );
  const scored = searchScored(ds, folds, configs, embargo, (done, t) => onTrial?.(done, configs.length, t));
  const trials = scored.trials;
  const best = chooseSetting(scored, ds.y, input.blend ?? BLEND_MEMBERS, input.shrink ?? "auto");
  onStep(`chosen: ${describe(best.config)} (validation MAE of the return ${best.score.toExponential(3)})`);
  const evaluation = walkForward(ds, folds, best.config);
  onStep(`calibrating prediction intervals on out-of-sample residuals`);
  const intervals = intervalReport(ds, folds, best.config, evaluation, embargo);

  let promotedMae: FitRunOutput["promotedMae"] = null;
  let notComparable: string | null = null;
  const current = input.promoted;
  if (current) {
    const sub = withFeatures(ds, current.features);
    if (!sub) {
      notComparable =
        `the promoted ${current.version} reads features this dataset lacks; compare and promote by hand`;
    } else {
      onStep(`re-evaluating the promoted ${current.version} (${describe(current.model)}) on the same folds`);
      promotedMae = {
        version: current.version,
        mae: walkForward(sub, folds, current.model).overall.model.mae,
      };
    }
  }

  onStep(`fitting ${describe(best.config)} on all ${ds.n} rows`);
  const final = fitOn(ds, Uint32Array.from({ length: ds.n }, (_, i) => i), best.config).model;
  const importance = featureImportance(final, ds.features);
  return {
    folds,
    configs: configs.length,
    trials,
    best,
    evaluation,
    intervals,
    promotedMae,
    notComparable,
    final,
    importance,
  };
}
