/**
 * Honest evaluation: walk-forward folds (time order, embargo ≥ horizon, nothing shuffled), and
 * per fold and overall the model beside three baselines: naive (no change: the current close),
 * SMA (the close becomes the 7-candle SMA) and drift (the close moves by the median return of the
 * fold's training rows, the same every row). A feature that tracks the target too well, or a skill
 * no price model has, stops the evaluation as leakage instead of reporting it.
 */
import type { Dataset } from "./dataset.ts";
import { takeRows } from "./dataset.ts";
import { dieboldMariano } from "./diebold_mariano.ts";
import type { Fold } from "./folds.ts";
import { type Compared, type FoldReport, priceMetrics } from "./metrics.ts";
import { fitModel, type Fitted, type ModelConfig } from "./models.ts";

export class LeakageError extends Error {
  override name = "LeakageError";
}

/** |correlation| with the target above which a feature is taken for a leak. */
export const LEAK_CORRELATION = 0.95;
/** Skill against the naive baseline above which a result is taken for a leak. */
export const LEAK_SKILL = 0.5;

export type { Compared, FoldReport } from "./metrics.ts";

/**
 * Whether the model's lead over a baseline (naive, or drift) on the test folds could be luck: the
 * Diebold–Mariano test of the two's absolute errors of the close, row by row over every test fold
 * in time order.
 */
export interface VsNaive {
  /** Test rows compared. */
  n: number;
  /** Mean absolute error of the close, model − baseline (in the quote currency): negative when ahead. */
  mae_diff: number;
  /** The corrected DM statistic (Student t with n − 1 degrees of freedom). */
  dm_statistic: number;
  /** One-sided p-value of "the model's expected absolute error is below the baseline's". */
  p_value: number;
}

export interface Evaluation {
  folds: FoldReport[];
  overall: Compared;
  vs_naive: VsNaive;
  /** The same test against the drift baseline: how much of the lead over naive is the trend alone. */
  vs_drift: VsNaive;
  /** Out-of-sample predictions: test row indices and the predicted log returns. */
  rows: Uint32Array;
  predictions: Float64Array;
}

function correlation(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Fails when a feature correlates with the target like a copy of it (on the training rows). */
export function checkLeakage(ds: Dataset, rows: ArrayLike<number>): void {
  const F = ds.features.length;
  const y = Float64Array.from({ length: rows.length }, (_, k) => ds.y[rows[k]!]!);
  const col = new Float64Array(rows.length);
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < rows.length; k++) col[k] = ds.X[rows[k]! * F + f]!;
    const c = correlation(col, y);
    if (Math.abs(c) >= LEAK_CORRELATION) {
      throw new LeakageError(
        `feature ${ds.features[f]} correlates ${c.toFixed(4)} with the target on the training rows: ` +
          `it is computed from the future (leakage); remove it`,
      );
    }
  }
}

function compare(pred: Float64Array, drift: Float64Array, idx: Uint32Array, ds: Dataset): Compared {
  const zeros = new Float64Array(idx.length);
  const sma = Float64Array.from(idx, (i) => Math.log(ds.sma[i]! / ds.close[i]!));
  return {
    model: priceMetrics(pred, idx, ds),
    naive: priceMetrics(zeros, idx, ds),
    sma: priceMetrics(sma, idx, ds),
    drift: priceMetrics(drift, idx, ds),
  };
}

/**
 * The drift baseline's log return for a fold: the median of its training rows' targets. Of all
 * constant forecasts it has the least absolute error on those rows, so it is the trend a model
 * could have learnt without reading a single input.
 */
export function driftReturn(ds: Pick<Dataset, "y">, train: ArrayLike<number>): number {
  if (train.length === 0) return 0;
  const y = Float64Array.from({ length: train.length }, (_, k) => ds.y[train[k]!]!).sort();
  const mid = y.length >> 1;
  return y.length % 2 ? y[mid]! : (y[mid - 1]! + y[mid]!) / 2;
}

/**
 * Trains a setting on each fold's training rows and scores it on the fold's test rows: `settings`
 * is one for every fold, or fold k's own at `settings[k - 1]`.
 */
export function walkForward(
  ds: Dataset,
  folds: readonly Fold[],
  settings: ModelConfig | readonly ModelConfig[],
  onFold?: (report: FoldReport) => void,
): Evaluation {
  const F = ds.features.length;
  checkLeakage(ds, folds.at(-1)!.train);
  const reports: FoldReport[] = [];
  const allRows: number[] = [];
  const allPred: number[] = [];
  const allDrift: number[] = [];
  for (const [k, fold] of folds.entries()) {
    const setting = foldSetting(settings, k, folds.length);
    const fitted = fitOn(ds, fold.train, setting);
    const pred = fitted.predict(takeRows(ds.X, F, fold.test), fold.test.length);
    const drift = new Float64Array(fold.test.length).fill(driftReturn(ds, fold.train));
    const report: FoldReport = {
      fold: fold.index,
      setting,
      train: { rows: fold.train.length, from: ds.time[fold.train[0]!]!, to: ds.time[fold.train.at(-1)!]! },
      test: { rows: fold.test.length, from: ds.time[fold.test[0]!]!, to: ds.time[fold.test.at(-1)!]! },
      ...compare(pred, drift, fold.test, ds),
    };
    reports.push(report);
    onFold?.(report);
    allRows.push(...fold.test);
    allPred.push(...pred);
    allDrift.push(...drift);
  }
  const rows = Uint32Array.from(allRows), predictions = Float64Array.from(allPred);
  const drift = Float64Array.from(allDrift);
  const overall = compare(predictions, drift, rows, ds);
  if (overall.model.skill > LEAK_SKILL) {
    throw new LeakageError(
      `skill ${
        overall.model.skill.toFixed(3)
      } against the naive baseline is not credible for a price model: ` +
        `look for a feature computed from the future`,
    );
  }
  return {
    folds: reports,
    overall,
    vs_naive: vsNaive(predictions, rows, ds),
    vs_drift: vsBaseline(predictions, drift, rows, ds),
    rows,
    predictions,
  };
}

/** The Diebold–Mariano test of the model's absolute errors of the close against naive's. */
export function vsNaive(pred: ArrayLike<number>, idx: ArrayLike<number>, ds: Dataset): VsNaive {
  return vsBaseline(pred, new Float64Array(idx.length), idx, ds);
}

/** The same test against a baseline's predicted log returns `base[k]` for the same rows. */
export function vsBaseline(
  pred: ArrayLike<number>,
  base: ArrayLike<number>,
  idx: ArrayLike<number>,
  ds: Dataset,
): VsNaive {
  const model = new Float64Array(idx.length), baseline = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!, close = ds.close[i]!, target = ds.targetClose[i]!;
    model[k] = Math.abs(close * Math.exp(pred[k]!) - target);
    baseline[k] = Math.abs(close * Math.exp(base[k]!) - target);
  }
  const dm = dieboldMariano(model, baseline, ds.horizon);
  return { n: dm.n, mae_diff: dm.meanDiff, dm_statistic: dm.statistic, p_value: dm.pBetter };
}

/** Fold `k + 1`'s setting of `settings`: one for every fold, or one per fold. */
export function foldSetting(
  settings: ModelConfig | readonly ModelConfig[],
  k: number,
  folds: number,
): ModelConfig {
  if (!Array.isArray(settings)) return settings as ModelConfig;
  if (settings.length !== folds) throw new RangeError(`${settings.length} settings for ${folds} folds`);
  return settings[k]!;
}

/** Fits `config` on rows `idx` of the dataset. */
export function fitOn(ds: Dataset, idx: ArrayLike<number>, config: ModelConfig): Fitted {
  const F = ds.features.length;
  const y = Float64Array.from({ length: idx.length }, (_, k) => ds.y[idx[k]!]!);
  return fitModel(config, takeRows(ds.X, F, idx), y, idx.length, F, ds.horizon);
}
