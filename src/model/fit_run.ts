/**
 * The compute of a training run, free of I/O so it can run in a Worker: folds, the leakage
 * check, the search, the blend of its best settings and its shrink, the walk-forward evaluation
 * (each fold tested with the setting chosen the same way on the validation rows before it; the
 * promoted model's setting on the same folds), and the final fit on every row of the setting
 * chosen on all validation rows. Everything it returns is plain data (structured-cloneable).
 */
import { WINDOW_MS } from "../domain/candle.ts";
import type { Dataset } from "./dataset.ts";
import { type IntervalReport, intervalReport } from "./conformal.ts";
import { type Importance, importance as featureImportance } from "./importance.ts";
import { checkLeakage, type Evaluation, fitOn, walkForward } from "./evaluate.ts";
import { type Fold, walkForwardFolds } from "./folds.ts";
import { BLEND_MEMBERS, chooseSetting } from "./blend.ts";
import type { PromotedOnFolds } from "./promotion.ts";
import { describe, type ModelConfig, type PriceModel, type SingleConfig } from "./models.ts";
import {
  candidates,
  type ModelChoice,
  type Scored,
  scoredThrough,
  searchScored,
  type Trial,
  validationPredictions,
} from "./search.ts";

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
  /** What serves: a shrunk blend of the best trials, chosen on every fold's validation rows. */
  best: Trial;
  /**
   * What each test fold sees, chosen as `best` is but on the validation rows of that fold and the
   * folds before it only (a later fold's validation rows are an earlier fold's test rows).
   */
  settings: Trial[];
  evaluation: Evaluation;
  /** Conformal prediction intervals of the chosen setting: per-fold coverage and the served quantiles. */
  intervals: IntervalReport;
  promotedMae: PromotedOnFolds | null;
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

/**
 * The setting of a fold with no validation rows before it (too few training rows to score any):
 * with no evidence for a forecast, it predicts no change.
 */
function noChange(member: SingleConfig): Trial {
  return { config: { kind: "blend", members: [member], shrink: 0 }, score: NaN };
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
  const choose = (sc: Scored) =>
    chooseSetting(sc, ds.y, input.blend ?? BLEND_MEMBERS, input.shrink ?? "auto", ds.horizon);
  const best = choose(scored);
  const settings = folds.map((f) => {
    const before = scoredThrough(scored, f.index, ds.y);
    return before ? choose(before) : noChange(configs[0]!);
  });
  onStep(
    `chosen: ${describe(best.config)} (validation MAE of the return ${best.score.toExponential(3)}); ` +
      `each test fold is predicted by the choice made on the validation rows before it`,
  );
  const evaluation = walkForward(ds, folds, settings.map((s) => s.config));
  onStep(`calibrating prediction intervals on out-of-sample residuals`);
  // Each fold's calibration model is its setting on the fold's validation split, which the search
  // has fitted and scored already.
  const intervals = intervalReport(
    ds,
    folds,
    settings.map((s) => s.config),
    evaluation,
    embargo,
    (fold) => validationPredictions(scored, fold, settings[folds.findIndex((f) => f.index === fold)]!.config),
  );

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
      const mae = walkForward(sub, folds, current.model).overall.model.mae;
      onStep(`walking the new ${describe(best.config)} forward with that one setting too, to compare alike`);
      const candidateMae = walkForward(ds, folds, best.config).overall.model.mae;
      promotedMae = { version: current.version, mae, candidateMae };
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
    settings,
    evaluation,
    intervals,
    promotedMae,
    notComparable,
    final,
    importance,
  };
}
