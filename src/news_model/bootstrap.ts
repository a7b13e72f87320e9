/**
 * How sure a gain over a baseline is: a seeded paired bootstrap. Both classifiers are scored on
 * the same resamples of the evaluated data, so what varies is the data, not the pairing, and the
 * interval is that of the difference. Resampled by group (a headline with all its coins): the
 * coins of a headline share one prediction, so resampling coins one by one would count that
 * prediction as independent evidence several times and make the interval too narrow.
 *
 * Pure: the same inputs and seed give the same interval.
 */
import { seededRandom } from "../util/random.ts";
import { metricsOfConfusion } from "./metrics.ts";

/** A gain with its bootstrap interval. */
export interface GainInterval {
  /** Model minus baseline, on the data as it is. */
  gain: number;
  /** The interval's bounds (percentiles of the resampled gains). */
  low: number;
  high: number;
  /** Share of resamples in which the model does not beat the baseline (gain ≤ 0). */
  not_better: number;
}

export interface PairedGain {
  accuracy: GainInterval;
  macro_f1: GainInterval;
}

export interface BootstrapOptions {
  /** Number of classes (labels are 0..classes−1). */
  classes: number;
  /** The group of each example (resampled together); each example its own group when absent. */
  groups?: readonly (string | number)[] | undefined;
  resamples: number;
  seed: number;
  /** Coverage of the interval. @default 0.95 */
  level?: number;
}

/** The `q` quantile of sorted values (linear interpolation between order statistics). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

function scores(cells: Float64Array, k: number): { accuracy: number; macro_f1: number } {
  const matrix = Array.from({ length: k }, (_, t) => Array.from(cells.subarray(t * k, (t + 1) * k)));
  const m = metricsOfConfusion(matrix, Array.from({ length: k }, (_, i) => String(i)));
  return { accuracy: m.accuracy, macro_f1: m.macro_f1 };
}

/**
 * The gain of `model` over `baseline` (predicted classes of the examples whose true classes are
 * `truth`) in accuracy and macro-F1, with a paired bootstrap interval.
 *
 * @example
 * ```ts
 * const g = pairedBootstrap([0, 1, 2, 2], [0, 1, 2, 1], [1, 1, 1, 1], { classes: 3, resamples: 2000, seed: 1 });
 * g.macro_f1.low > 0; // the model's macro-F1 is better in at least 97.5% of resamples
 * ```
 */
export function pairedBootstrap(
  truth: readonly number[],
  model: readonly number[],
  baseline: readonly number[],
  opts: BootstrapOptions,
): PairedGain {
  const n = truth.length;
  if (model.length !== n || baseline.length !== n) {
    throw new RangeError("truth and predictions differ in length");
  }
  if (opts.groups !== undefined && opts.groups.length !== n) {
    throw new RangeError("groups and truth differ in length");
  }
  if (!(Number.isInteger(opts.resamples) && opts.resamples >= 1)) {
    throw new RangeError(`resamples must be a positive integer, not ${opts.resamples}`);
  }
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), not ${level}`);
  const k = opts.classes;

  // Each group as its (true, predicted) cells under both classifiers.
  const index = new Map<string | number, number>();
  const cells: { model: number[]; baseline: number[] }[] = [];
  for (let i = 0; i < n; i++) {
    const key = opts.groups?.[i] ?? i;
    let g = index.get(key);
    if (g === undefined) {
      g = cells.length;
      index.set(key, g);
      cells.push({ model: [], baseline: [] });
    }
    cells[g]!.model.push(truth[i]! * k + model[i]!);
    cells[g]!.baseline.push(truth[i]! * k + baseline[i]!);
  }

  const tally = (draw: (i: number) => number) => {
    const a = new Float64Array(k * k), b = new Float64Array(k * k);
    for (let i = 0; i < cells.length; i++) {
      const g = cells[draw(i)]!;
      for (const c of g.model) a[c]!++;
      for (const c of g.baseline) b[c]!++;
    }
    const sa = scores(a, k), sb = scores(b, k);
    return { accuracy: sa.accuracy - sb.accuracy, macro_f1: sa.macro_f1 - sb.macro_f1 };
  };

  const observed = tally((i) => i);
  const random = seededRandom(opts.seed);
  const gains = { accuracy: [] as number[], macro_f1: [] as number[] };
  if (cells.length > 0) {
    for (let r = 0; r < opts.resamples; r++) {
      const g = tally(() => Math.floor(random() * cells.length));
      gains.accuracy.push(g.accuracy);
      gains.macro_f1.push(g.macro_f1);
    }
  }
  const interval = (metric: "accuracy" | "macro_f1"): GainInterval => {
    const sorted = gains[metric].sort((a, b) => a - b);
    return {
      gain: observed[metric],
      low: quantile(sorted, (1 - level) / 2),
      high: quantile(sorted, 1 - (1 - level) / 2),
      not_better: sorted.length > 0 ? sorted.filter((g) => g <= 0).length / sorted.length : NaN,
    };
  };
  return { accuracy: interval("accuracy"), macro_f1: interval("macro_f1") };
}
