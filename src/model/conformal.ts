/**
 * Prediction intervals by split conformal prediction on out-of-sample residuals, normalised by
 * recent volatility: a residual's score is |actual − predicted log return| / σ, where σ is the row's
 * realised volatility (floored, so a frozen market does not make every score infinite). The
 * interval at level L is the prediction ± q_L·σ, q_L the conformal quantile of the calibration
 * scores, so intervals widen in stormy markets and narrow in calm ones.
 *
 * Calibration never sees the rows it is measured on. For a fold, the scores come from residuals made
 * before its test rows: the chosen setting fitted on the first 80% of the fold's training rows and
 * scored on the rest (an embargo apart), and the earlier folds' test rows. The served model's
 * quantiles come from every fold's test residuals. Beside each interval, a naive-volatility interval
 * (centred on no change, calibrated the same way) shows what the model's centre is worth.
 */
import type { Dataset } from "./dataset.ts";
import { takeRows } from "./dataset.ts";
import { type Evaluation, fitOn } from "./evaluate.ts";
import type { Fold } from "./folds.ts";
import type { ModelConfig } from "./models.ts";

/** The interval levels every model carries. */
export const LEVELS = [0.8, 0.95] as const;
export type Level = typeof LEVELS[number];
/** The feature whose value is a row's σ. */
export const SCALE_FEATURE = "realized_vol_15";
/** σ is floored at this quantile of the calibration rows' positive volatilities. */
const FLOOR_QUANTILE = 0.05;

/** What serving needs to draw a model's intervals. */
export interface IntervalModel {
  scale: typeof SCALE_FEATURE;
  /** Least σ used, in log-return units. */
  floor: number;
  /** Half-width of the interval in units of σ, by level ("0.8", "0.95"). */
  q: Record<string, number>;
  calibration_rows: number;
}

export interface LevelReport {
  level: number;
  /** Share of test rows whose realised close fell inside. */
  coverage: number;
  /** Mean width relative to the close (upper/lower price − 1 apart). */
  width: number;
  naive_coverage: number;
  naive_width: number;
}

export interface IntervalFoldReport {
  fold: number;
  calibration_rows: number;
  levels: LevelReport[];
}

export interface IntervalReport {
  model: IntervalModel;
  folds: IntervalFoldReport[];
  /** Over every fold's test rows. */
  overall: LevelReport[];
}

/**
 * The conformal quantile: the ⌈(n + 1)·level⌉-th smallest score, which covers a new exchangeable
 * score with probability ≥ level. Infinity when there are too few scores for the level.
 */
export function conformalQuantile(scores: ArrayLike<number>, level: number): number {
  const sorted = Float64Array.from(scores).sort();
  const k = Math.ceil((sorted.length + 1) * level);
  return k > sorted.length ? Infinity : sorted[k - 1]!;
}

/** The σ floor of a calibration set: a low quantile of its positive volatilities. */
export function volatilityFloor(vols: ArrayLike<number>): number {
  const positive = Float64Array.from(Array.prototype.filter.call(vols, (v: number) => v > 0) as number[])
    .sort();
  if (positive.length === 0) return 1e-6;
  return Math.max(1e-9, positive[Math.floor(FLOOR_QUANTILE * (positive.length - 1))]!);
}

/** The interval of a predicted log return: [lower, upper] prices for a close. */
export function interval(
  close: number,
  predicted: number,
  vol: number,
  model: Pick<IntervalModel, "floor" | "q">,
  level: Level,
): [number, number] {
  const half = (model.q[String(level)] ?? Infinity) * Math.max(vol, model.floor);
  return [close * Math.exp(predicted - half), close * Math.exp(predicted + half)];
}

interface Scored {
  /** |residual| of the model and of naive (no change). */
  model: number[];
  naive: number[];
  vol: number[];
  /** The rows' window starts, epoch ms. */
  time: number[];
}

const empty = (): Scored => ({ model: [], naive: [], vol: [], time: [] });

function add(into: Scored, ds: Dataset, rows: ArrayLike<number>, pred: ArrayLike<number>, col: number) {
  const F = ds.features.length;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    into.model.push(Math.abs(ds.y[i]! - pred[k]!));
    into.naive.push(Math.abs(ds.y[i]!));
    into.vol.push(ds.X[i * F + col]!);
    into.time.push(ds.time[i]!);
  }
}

function quantiles(s: Scored, at: number) {
  const floor = volatilityFloor(s.vol);
  const norm = (abs: number[]) => abs.map((a, k) => a / Math.max(s.vol[k]!, floor));
  const m = norm(s.model), n = norm(s.naive);
  const w = s.time.map((t) => Math.pow(0.5, Math.max(0, at - t) / HALF_LIFE_MS));
  return {
    floor,
    model: Object.fromEntries(LEVELS.map((l) => [String(l), weightedConformalQuantile(m, w, l)])),
    naive: Object.fromEntries(LEVELS.map((l) => [String(l), weightedConformalQuantile(n, w, l)])),
  };
}

/** Calibration scores lose half their weight per this much market time before the rows they serve. */
export const HALF_LIFE_MS = 86_400_000;

/**
 * The conformal quantile of scores that are not exchangeable, weighted by recency (Barber, Candès,
 * Ramdas and Tibshirani 2023): the smallest score whose weight share, counting the new point's own
 * weight of 1 at +∞, reaches `level`. Equal weights give {@linkcode conformalQuantile}.
 */
export function weightedConformalQuantile(
  scores: ArrayLike<number>,
  weights: ArrayLike<number>,
  level: number,
): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let total = 1;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  let cum = 0;
  for (const i of order) {
    cum += weights[i]!;
    if (cum / total >= level - 1e-12) return scores[i]!;
  }
  return Infinity;
}

/**
 * Calibrates and measures the intervals of `config` on the folds of an evaluation (whose out-of-sample
 * predictions it reuses), and the served model's quantiles from every fold's test residuals.
 */
export function intervalReport(
  ds: Dataset,
  folds: readonly Fold[],
  config: ModelConfig,
  evaluation: Pick<Evaluation, "rows" | "predictions">,
  embargoRows: number,
): IntervalReport {
  const col = ds.features.indexOf(SCALE_FEATURE);
  if (col < 0) throw new Error(`intervals need the ${SCALE_FEATURE} feature`);
  const F = ds.features.length;
  const earlier = empty();
  const reports: IntervalFoldReport[] = [];
  let at = 0;
  for (const fold of folds) {
    const calibration = empty();
    const cut = Math.floor(fold.train.length * 0.8);
    const fit = fold.train.subarray(0, Math.max(0, cut - embargoRows));
    const valid = fold.train.subarray(cut);
    if (fit.length >= 50 && valid.length > 0) {
      const pred = fitOn(ds, fit, config).predict(takeRows(ds.X, F, valid), valid.length);
      add(calibration, ds, valid, pred, col);
    }
    calibration.model.push(...earlier.model);
    calibration.naive.push(...earlier.naive);
    calibration.vol.push(...earlier.vol);
    calibration.time.push(...earlier.time);
    const rows = evaluation.rows.subarray(at, at + fold.test.length);
    const q = quantiles(calibration, ds.time[rows[0] ?? 0] ?? 0);

    const pred = evaluation.predictions.subarray(at, at + fold.test.length);
    at += fold.test.length;
    const levels = LEVELS.map((level): LevelReport => {
      const key = String(level);
      let inside = 0, width = 0, naiveInside = 0, naiveWidth = 0;
      for (let k = 0; k < rows.length; k++) {
        const i = rows[k]!;
        const vol = Math.max(ds.X[i * F + col]!, q.floor);
        const half = q.model[key]! * vol, naiveHalf = q.naive[key]! * vol;
        if (Math.abs(ds.y[i]! - pred[k]!) <= half) inside++;
        if (Math.abs(ds.y[i]!) <= naiveHalf) naiveInside++;
        width += Math.exp(pred[k]! + half) - Math.exp(pred[k]! - half);
        naiveWidth += Math.exp(naiveHalf) - Math.exp(-naiveHalf);
      }
      const n = rows.length || 1;
      return {
        level,
        coverage: inside / n,
        width: width / n,
        naive_coverage: naiveInside / n,
        naive_width: naiveWidth / n,
      };
    });
    reports.push({ fold: fold.index, calibration_rows: calibration.model.length, levels });
    add(earlier, ds, rows, pred, col);
  }
  const served = quantiles(earlier, ds.range.to);
  const tested = folds.map((f) => f.test.length);
  const total = tested.reduce((a, b) => a + b, 0) || 1;
  const pooled = (li: number, key: Exclude<keyof LevelReport, "level">) =>
    reports.reduce((a, r, k) => a + r.levels[li]![key] * tested[k]!, 0) / total;
  return {
    model: {
      scale: SCALE_FEATURE,
      floor: served.floor,
      q: served.model,
      calibration_rows: earlier.model.length,
    },
    folds: reports,
    overall: LEVELS.map((level, li) => ({
      level,
      coverage: pooled(li, "coverage"),
      width: pooled(li, "width"),
      naive_coverage: pooled(li, "naive_coverage"),
      naive_width: pooled(li, "naive_width"),
    })),
  };
}
