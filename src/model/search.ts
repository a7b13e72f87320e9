/**
 * A budgeted random search of model settings, seeded so a run repeats. Settings are scored
 * without the test folds: on each walk-forward fold, fitted on the first 80% of the fold's
 * training rows and scored (MAE of the return) on the rest, an embargo apart. A later fold's
 * training rows hold an earlier fold's test rows, so the setting a fold is tested with is chosen
 * on its own and earlier folds' validation rows only (`scoredThrough`): no test row helps choose
 * the setting that predicts it.
 */
import type { Dataset } from "./dataset.ts";
import { takeRows } from "./dataset.ts";
import type { Fold } from "./folds.ts";
import { fitOn } from "./evaluate.ts";
import type { GbdtParams } from "./gbdt.ts";
import type { ModelConfig, SingleConfig } from "./models.ts";
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

export function candidates(choice: ModelChoice, budget: number, seed: number): SingleConfig[] {
  const r = seededRandom(seed);
  const out: SingleConfig[] = [];
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

/** The trials, best first, with each one's predictions on the pooled validation rows. */
export interface Scored {
  trials: Trial[];
  /** The validation rows of every fold, in the order they were scored (a row can recur across folds). */
  rows: Uint32Array;
  /** `predictions[k]` are trial k's (of `trials`) on `rows`. */
  predictions: Float64Array[];
  /** Which fold's validation rows `rows` holds where: fold `fold`'s end at `rows[end - 1]`, in fold order. */
  splits: { fold: number; end: number }[];
}

/**
 * `scored` as if only folds up to `fold` had been scored: their validation rows, every trial
 * rescored on them and re-ranked. All those rows come before `fold`'s test block. Null when none
 * of those folds had enough training rows to score on.
 */
export function scoredThrough(scored: Scored, fold: number, y: ArrayLike<number>): Scored | null {
  const splits = scored.splits.filter((s) => s.fold <= fold);
  if (splits.length === 0) return null;
  const n = splits.at(-1)!.end;
  const rows = scored.rows.subarray(0, n);
  const ranked = scored.trials.map((trial, k) => {
    const predictions = scored.predictions[k]!.subarray(0, n);
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.abs(predictions[j]! - y[rows[j]!]!);
    return { trial: { config: trial.config, score: sum / n }, predictions };
  }).sort((a, b) => a.trial.score - b.trial.score);
  return {
    trials: ranked.map((r) => r.trial),
    rows,
    predictions: ranked.map((r) => r.predictions),
    splits,
  };
}

/**
 * What `setting` (a trial of `scored`, or a blend of its trials) predicted on `fold`'s validation rows
 * while it was scored: the same numbers a fit on the fold's validation split gives, without fitting
 * again. Null when the fold was not scored or a member is not one of its trials.
 */
export function validationPredictions(
  scored: Scored,
  fold: number,
  setting: ModelConfig,
): { rows: Uint32Array; predictions: Float64Array } | null {
  const at = scored.splits.findIndex((s) => s.fold === fold);
  if (at < 0) return null;
  const from = at === 0 ? 0 : scored.splits[at - 1]!.end, to = scored.splits[at]!.end;
  const members = setting.kind === "blend" ? setting.members : [setting];
  const index = members.map((m) => scored.trials.findIndex((t) => t.config === m));
  if (index.some((k) => k < 0)) return null;
  const rows = scored.rows.subarray(from, to);
  if (setting.kind !== "blend") return { rows, predictions: scored.predictions[index[0]!]!.slice(from, to) };
  // As `predictModel` adds a blend's members up and scales them, so the numbers are the same.
  const out = new Float64Array(to - from);
  for (const k of index) {
    const p = scored.predictions[k]!;
    for (let i = 0; i < out.length; i++) out[i]! += p[from + i]!;
  }
  const scale = setting.shrink / members.length;
  for (let i = 0; i < out.length; i++) out[i]! *= scale;
  return { rows, predictions: out };
}

/**
 * Scores every candidate on the folds' training rows only, best (lowest) first, keeping each one's
 * validation predictions (to blend and shrink the best settings).
 */
export function searchScored(
  ds: Dataset,
  folds: readonly Fold[],
  configs: readonly ModelConfig[],
  embargoRows: number,
  onTrial?: (done: number, trial: Trial) => void,
): Scored {
  const F = ds.features.length;
  const splits = folds.map((fold) => {
    const cut = Math.floor(fold.train.length * 0.8);
    return {
      fold: fold.index,
      fit: fold.train.subarray(0, Math.max(0, cut - embargoRows)),
      valid: fold.train.subarray(cut),
    };
  }).filter((s) => s.fit.length >= 50 && s.valid.length > 0);
  if (splits.length === 0) {
    throw new Error("the folds are too short to score settings: use fewer folds or more data");
  }
  const rows = Uint32Array.from(splits.flatMap((s) => [...s.valid]));
  const scored: { trial: Trial; predictions: Float64Array }[] = [];
  for (const config of configs) {
    const predictions = new Float64Array(rows.length);
    let at = 0, sum = 0;
    for (const { fit, valid } of splits) {
      const pred = fitOn(ds, fit, config).predict(takeRows(ds.X, F, valid), valid.length);
      for (let k = 0; k < valid.length; k++) sum += Math.abs(pred[k]! - ds.y[valid[k]!]!);
      predictions.set(pred, at);
      at += valid.length;
    }
    const trial = { config, score: sum / rows.length };
    scored.push({ trial, predictions });
    onTrial?.(scored.length, trial);
  }
  scored.sort((a, b) => a.trial.score - b.trial.score);
  let end = 0;
  return {
    trials: scored.map((s) => s.trial),
    rows,
    predictions: scored.map((s) => s.predictions),
    splits: splits.map((s) => ({ fold: s.fold, end: end += s.valid.length })),
  };
}
