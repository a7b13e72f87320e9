/**
 * Prediction intervals by conformal prediction on out-of-sample residuals, normalised by recent
 * volatility: a residual's score is |actual − predicted log return| / σ, where σ is the row's
 * realised volatility times a multiplier learnt on training rows (`interval_scale.ts`), floored so
 * a frozen market does not make every score infinite. The interval at level L is the prediction ±
 * q_L·σ, q_L a recency-weighted conformal quantile of the calibration scores, so intervals widen in
 * stormy markets and narrow in calm ones.
 *
 * Calibration never sees the rows it is measured on. A fold's test rows are taken in time order, as
 * serving takes live rows: each row's interval comes from the residuals known before it (the chosen
 * setting fitted on the first 80% of the fold's training rows and scored on the rest, an embargo
 * apart, and every earlier test row whose close is realised by then), at a level adapted by those
 * rows' misses (`online_intervals.ts`). The card keeps the newest test residuals and the adapted
 * levels, and serving goes on from there. Beside each interval, a naive-volatility interval
 * (centred on no change, σ realised volatility alone, calibrated the same way) shows what the
 * model's centre and its σ are worth.
 */
import type { Dataset } from "./dataset.ts";
import { takeRows } from "./dataset.ts";
import { type Evaluation, fitOn, foldSetting } from "./evaluate.ts";
import type { Fold } from "./folds.ts";
import type { ModelConfig } from "./models.ts";
import {
  ACI_STEP,
  adaptedLevel,
  LIVE_SCORES,
  nextDrift,
  RankedScores,
  ScoreBook,
  sortedBook,
} from "./online_intervals.ts";
import { fitScale, rowScale, SCALE_FEATURE, type ScaleModel, volatilityFloor } from "./interval_scale.ts";
import { WINDOW_MS } from "../domain/candle.ts";
import type { LiveIntervalState } from "../domain/prediction.ts";

/** The interval levels every model carries. */
export const LEVELS = [0.8, 0.95] as const;
export type Level = typeof LEVELS[number];

/** What serving needs to draw a model's intervals. */
export interface IntervalModel {
  scale: typeof SCALE_FEATURE;
  /** The multiplier of realised volatility σ is (absent on older cards: realised volatility alone). */
  scale_model?: ScaleModel;
  /** Least σ used, in log-return units. */
  floor: number;
  /** Half-width of the interval in units of σ, by level ("0.8", "0.95"), as training left it. */
  q: Record<string, number>;
  calibration_rows: number;
  /** Absent on cards made before intervals went on learning from live closes (they keep `q`). */
  half_life_ms?: number;
  aci_step?: number;
  /** Σ (miss − (1 − L)) over the test rows, by level: where the adapted level stood. */
  drift?: Record<string, number>;
  /** The newest test scores (ascending) and their rows' times, for serving to go on from. */
  scores?: number[];
  times?: number[];
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

/** Calibration scores lose half their weight per this much market time before the rows they serve. */
export const HALF_LIFE_MS = 86_400_000;
/** The newest scores a model card keeps for serving to go on from. */
export const CARD_SCORES = 5000;

/**
 * The levels serving draws the intervals of nominal 80% and 95% at, as the test folds and the live
 * closes of the same version (`live`) have moved them; null for a card from before they moved.
 */
export function servingLevels(
  model: IntervalModel,
  live: LiveIntervalState | null,
): Record<string, number> | null {
  const drift = model.drift;
  if (!drift) return null;
  return Object.fromEntries(
    LEVELS.map((l) => [String(l), adaptedLevel(l, drift[l]! + (live?.drift[l] ?? 0), model.aci_step)]),
  );
}

/**
 * The half-widths (in units of σ) serving draws for a row at `at`: the card's calibration and
 * levels carried on by the live closes of the same version (`live`, null before the first). A card
 * made before intervals learnt from live closes gives its fixed `q`.
 */
export function servingQuantiles(
  model: IntervalModel,
  live: LiveIntervalState | null,
  at: number,
): Record<string, number> {
  const { scores, times, half_life_ms: halfLife } = model;
  const levels = servingLevels(model, live);
  if (!scores || !times || halfLife === undefined || !levels) return model.q;
  const state = live?.scores.length ? live : null;
  // Once the live scores are capped, the card's older ones drop out too: one window of time.
  const full = state !== null && state.scores.length >= LIVE_SCORES;
  const card = sortedBook(scores, times, full ? state.times[0]! : -Infinity);
  const fresh = new ScoreBook();
  state?.scores.forEach((s, k) => fresh.add(s, state.times[k]!));
  return Object.fromEntries(
    Object.entries(levels).map(([l, level]) => [l, card.quantile(level, at, halfLife, fresh)]),
  );
}

/** A test row's score for one centre (the model's, or naive's no change), and its hits by level. */
interface Scored {
  score: number;
  time: number;
  inside: Record<string, boolean>;
}

/**
 * One interval maker run row by row over the test folds as serving runs it: each row's interval
 * uses the scores and misses of the rows realised before it (`horizon` candles after their own).
 */
class Track {
  readonly realised: Scored[] = [];
  readonly drift: Record<string, number> = Object.fromEntries(LEVELS.map((l) => [String(l), 0]));
  #pending: Scored[] = [];
  #ranked: RankedScores | null = null;
  /** Where each pending score sits in the fold's universe. */
  #pendingAt: number[] = [];

  /**
   * Starts a fold: its own calibration rows (`valid`) and the scores its test rows will add, which
   * with every earlier score make the fold's universe of scores.
   */
  beginFold(valid: { score: number; time: number }[], tests: readonly number[], ref: number): void {
    const universe = [
      ...this.realised.map((s) => s.score),
      ...this.#pending.map((s) => s.score),
      ...valid.map((s) => s.score),
      ...tests,
    ];
    this.#ranked = new RankedScores(universe, ref, HALF_LIFE_MS);
    this.realised.forEach((s, k) => this.#ranked!.add(k, s.time));
    const base = this.realised.length;
    this.#pendingAt = this.#pending.map((_, k) => base + k);
    const v0 = base + this.#pending.length;
    valid.forEach((s, k) => this.#ranked!.add(v0 + k, s.time));
    this.#nextTest = v0 + valid.length;
  }

  #nextTest = 0;

  /** Takes in every pending row whose close is known by `at`. */
  realiseUntil(at: number, lagMs: number): void {
    let k = 0;
    for (; k < this.#pending.length && this.#pending[k]!.time + lagMs <= at; k++) {
      const p = this.#pending[k]!;
      this.#ranked?.add(this.#pendingAt[k]!, p.time);
      this.realised.push(p);
      for (const l of LEVELS) this.drift[l] = nextDrift(l, this.drift[l]!, p.inside[l]!);
    }
    this.#pending = this.#pending.slice(k);
    this.#pendingAt = this.#pendingAt.slice(k);
  }

  /** Half-widths in units of σ at each level, for a row at `at`. */
  q(at: number): Record<string, number> {
    return Object.fromEntries(
      LEVELS.map((l) => [String(l), this.#ranked!.quantile(adaptedLevel(l, this.drift[l]!), at)]),
    );
  }

  /** The next test row of the fold (in the order `beginFold` was given them). */
  pend(s: Scored): void {
    this.#pending.push(s);
    this.#pendingAt.push(this.#nextTest++);
  }

  /** Every test close realised: where serving starts. */
  realiseAll(): void {
    for (const p of this.#pending) {
      this.realised.push(p);
      for (const l of LEVELS) this.drift[l] = nextDrift(l, this.drift[l]!, p.inside[l]!);
    }
    this.#pending = [];
  }
}

function sameRows(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Calibrates and measures the intervals of `settings` (one, or one per fold, as the evaluation was
 * walked) on the folds of an evaluation (whose out-of-sample predictions it reuses), and the served
 * model's calibration from every fold's test residuals.
 */
export function intervalReport(
  ds: Dataset,
  folds: readonly Fold[],
  settings: ModelConfig | readonly ModelConfig[],
  evaluation: Pick<Evaluation, "rows" | "predictions">,
  embargoRows: number,
  /** Fold `fold`'s setting's predictions on its validation rows, when already made (by the search). */
  known?: (fold: number) => { rows: Uint32Array; predictions: Float64Array } | null,
): IntervalReport {
  const col = ds.features.indexOf(SCALE_FEATURE);
  if (col < 0) throw new Error(`intervals need the ${SCALE_FEATURE} feature`);
  const F = ds.features.length;
  const lagMs = ds.horizon * WINDOW_MS[ds.window];
  const model = new Track(), naive = new Track();
  const volOf = (i: number) => ds.X[i * F + col]!;
  // σ of the test rows so far, the model's and naive's (realised volatility alone).
  const testedScales: number[] = [], testedVols: number[] = [], testedRows = new Set<number>();
  const reports: IntervalFoldReport[] = [];
  let at = 0;
  for (const [k, fold] of folds.entries()) {
    const config = foldSetting(settings, k, folds.length);
    // The fold's own calibration before its first test row: its setting fitted on the first 80% of
    // its training rows and scored on the rest, an embargo apart.
    const cut = Math.floor(fold.train.length * 0.8);
    const fit = fold.train.subarray(0, Math.max(0, cut - embargoRows));
    const held = fit.length >= 50 ? fold.train.subarray(cut) : new Uint32Array(0);
    const made = held.length ? known?.(fold.index) : null;
    const heldPred = !held.length
      ? new Float64Array(0)
      : made && sameRows(made.rows, held)
      ? made.predictions
      : fitOn(ds, fit, config).predict(takeRows(ds.X, F, held), held.length);
    // A later fold's training rows hold the earlier folds' test rows, whose scores are already in:
    // scored again by this fold's calibration model they would count twice.
    const fresh = Array.from(held.keys()).filter((k) => !testedRows.has(held[k]!));
    const valid = Uint32Array.from(fresh, (k) => held[k]!);
    const validPred = Float64Array.from(fresh, (k) => heldPred[k]!);
    const rows = evaluation.rows.subarray(at, at + fold.test.length);
    const pred = evaluation.predictions.subarray(at, at + fold.test.length);
    at += fold.test.length;
    // σ's multiplier is learnt on the same rows as the fold's calibration model.
    const scaleAt = rowScale(ds, fitScale(ds, fit));
    const validScales = Float64Array.from(valid, scaleAt), testScales = Float64Array.from(rows, scaleAt);
    const floor = volatilityFloor([...validScales, ...testedScales]);
    const naiveFloor = volatilityFloor([...Array.from(valid, volOf), ...testedVols]);
    const naiveSigma = (i: number) => Math.max(volOf(i), naiveFloor);
    const calibrationRows = valid.length + testedVols.length;

    const errors = Array.from(rows, (i, k) => Math.abs(ds.y[i]! - pred[k]!));
    const moves = Array.from(rows, (i) => Math.abs(ds.y[i]!));
    const ref = ds.time[rows[0] ?? 0] ?? 0;
    model.beginFold(
      Array.from(
        valid,
        (i, k) => ({
          score: Math.abs(ds.y[i]! - validPred[k]!) / Math.max(validScales[k]!, floor),
          time: ds.time[i]!,
        }),
      ),
      errors.map((e, k) => e / Math.max(testScales[k]!, floor)),
      ref,
    );
    naive.beginFold(
      Array.from(valid, (i) => ({ score: Math.abs(ds.y[i]!) / naiveSigma(i), time: ds.time[i]! })),
      moves.map((m, k) => m / naiveSigma(rows[k]!)),
      ref,
    );
    const sums = LEVELS.map(() => ({ inside: 0, width: 0, naiveInside: 0, naiveWidth: 0 }));
    rows.forEach((i, k) => {
      const t = ds.time[i]!;
      model.realiseUntil(t, lagMs);
      naive.realiseUntil(t, lagMs);
      const qm = model.q(t), qn = naive.q(t);
      const vol = Math.max(testScales[k]!, floor),
        naiveVol = naiveSigma(i),
        err = errors[k]!,
        move = moves[k]!;
      const insideModel: Record<string, boolean> = {}, insideNaive: Record<string, boolean> = {};
      LEVELS.forEach((level, li) => {
        const half = qm[level]! * vol, naiveHalf = qn[level]! * naiveVol;
        insideModel[level] = err <= half;
        insideNaive[level] = move <= naiveHalf;
        const s = sums[li]!;
        s.inside += insideModel[level] ? 1 : 0;
        s.naiveInside += insideNaive[level] ? 1 : 0;
        s.width += Math.exp(pred[k]! + half) - Math.exp(pred[k]! - half);
        s.naiveWidth += Math.exp(naiveHalf) - Math.exp(-naiveHalf);
      });
      model.pend({ score: err / vol, time: t, inside: insideModel });
      naive.pend({ score: move / naiveVol, time: t, inside: insideNaive });
      testedScales.push(testScales[k]!);
      testedVols.push(volOf(i));
      testedRows.add(i);
    });
    const n = rows.length || 1;
    reports.push({
      fold: fold.index,
      calibration_rows: calibrationRows,
      levels: LEVELS.map((level, li) => ({
        level,
        coverage: sums[li]!.inside / n,
        width: sums[li]!.width / n,
        naive_coverage: sums[li]!.naiveInside / n,
        naive_width: sums[li]!.naiveWidth / n,
      })),
    });
  }
  model.realiseAll();
  const tested = folds.map((f) => f.test.length);
  const total = tested.reduce((a, b) => a + b, 0) || 1;
  const pooled = (li: number, key: Exclude<keyof LevelReport, "level">) =>
    reports.reduce((a, r, k) => a + r.levels[li]![key] * tested[k]!, 0) / total;
  // Serving starts where the last test row left off, every test close realised.
  const keep = model.realised.slice(-CARD_SCORES).sort((a, b) => a.score - b.score);
  const served = sortedBook(keep.map((s) => s.score), keep.map((s) => s.time));
  // Serving's multiplier is learnt on every row, as the served model is.
  const scaleModel = fitScale(ds, Uint32Array.from({ length: ds.n }, (_, i) => i));
  return {
    model: {
      scale: SCALE_FEATURE,
      ...(scaleModel ? { scale_model: scaleModel } : {}),
      floor: volatilityFloor(testedScales),
      q: Object.fromEntries(
        LEVELS.map((
          l,
        ) => [String(l), served.quantile(adaptedLevel(l, model.drift[l]!), ds.range.to, HALF_LIFE_MS)]),
      ),
      calibration_rows: model.realised.length,
      half_life_ms: HALF_LIFE_MS,
      aci_step: ACI_STEP,
      drift: { ...model.drift },
      scores: keep.map((s) => Number(s.score.toPrecision(5))),
      times: keep.map((s) => s.time),
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
