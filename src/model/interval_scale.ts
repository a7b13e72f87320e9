/**
 * The σ a prediction interval is drawn in: the row's realised volatility, times a multiplier read
 * from how far the market has just moved relative to it (ATR, the candle's range, the last one and
 * five returns, the Bollinger band's width, each as a log ratio to realised volatility). The
 * multiplier is a ridge regression of log(|return| / realised volatility) on those ratios, fitted on
 * training rows only, and centred so that it averages 1 in log on them.
 *
 * Every input is a ratio of two volatilities, so σ is homogeneous of degree one: a market twice as
 * stormy as any seen in training gets twice the σ, as realised volatility alone would give it, where
 * a regression on the volatility levels themselves regresses toward the training's mean and
 * under-covers as volatility rises. The ratios are clipped to the range seen in training.
 */
import type { Dataset } from "./dataset.ts";
import { quantileSorted } from "./quantile.ts";
import { fitRidge } from "./ridge.ts";

/** The feature every σ starts from. */
export const SCALE_FEATURE = "realized_vol_15";

/** A fitted multiplier (absent: σ is realised volatility alone). */
export interface ScaleModel {
  /** Realised volatility is floored here before the ratios are taken. */
  base_floor: number;
  /** The ratio terms, by name (see `TERMS`), and per term its mean, deviation, weight and clip range. */
  terms: string[];
  mean: number[];
  std: number[];
  weights: number[];
  lo: number[];
  hi: number[];
}

type Lookup = (feature: string) => number;

/** Each term: the features it reads and its volatility-like value. */
const TERMS: Readonly<Record<string, { needs: string[]; value: (f: Lookup) => number }>> = {
  atr: { needs: ["atr_rel"], value: (f) => f("atr_rel") },
  range: { needs: ["high_rel", "low_rel"], value: (f) => f("high_rel") - f("low_rel") },
  move_1: { needs: ["log_return_1"], value: (f) => Math.abs(f("log_return_1")) },
  move_5: { needs: ["log_return_5"], value: (f) => Math.abs(f("log_return_5")) },
  band: { needs: ["bb_upper_rel", "bb_lower_rel"], value: (f) => f("bb_upper_rel") - f("bb_lower_rel") },
};

/** Every feature σ reads: realised volatility, then the terms' in order. */
export const SCALE_INPUTS: readonly string[] = [
  SCALE_FEATURE,
  ...new Set(Object.values(TERMS).flatMap((t) => t.needs)),
];

/** A term's ratio to the base, in log: the offset keeps a candle that did not move finite. */
const ratio = (v: number, base: number) => Math.log(Math.max(0, v) / base + 0.01);

/** Fewer training rows than this keep realised volatility alone. */
const MIN_ROWS = 100;
/** Five weights are settled long before this many rows: the fit takes the latest, the market as it is now. */
const MAX_ROWS = 100_000;
const LAMBDA = 1e-3;
const CLIP_QUANTILE = 0.005;

/** The floor of a set of volatilities or σs: the 5th percentile of the positive ones (1e-6 if none). */
export function volatilityFloor(vols: ArrayLike<number>): number {
  const positive = Float64Array.from(Array.prototype.filter.call(vols, (v: number) => v > 0) as number[])
    .sort();
  if (positive.length === 0) return 1e-6;
  return Math.max(1e-9, quantileSorted(positive, 0.05));
}

/** The unclipped log ratios of one row, in the model's term order. */
function ratios(terms: readonly string[], f: Lookup, base: number): number[] {
  return terms.map((t) => ratio(TERMS[t]!.value(f), base));
}

/**
 * The multiplier fitted on dataset rows `given` (in time order; the latest `MAX_ROWS` of them); null
 * when the dataset lacks realised volatility, has none of the terms' features, or has too few rows.
 */
export function fitScale(ds: Dataset, given: ArrayLike<number>): ScaleModel | null {
  const rows = Array.prototype.slice.call(given, -MAX_ROWS) as number[];
  const F = ds.features.length;
  const col = new Map(ds.features.map((name, k) => [name, k]));
  const vc = col.get(SCALE_FEATURE);
  const terms = Object.keys(TERMS).filter((t) => TERMS[t]!.needs.every((n) => col.has(n)));
  if (vc === undefined || terms.length === 0 || rows.length < MIN_ROWS) return null;
  const base_floor = volatilityFloor(Array.from(rows, (i) => ds.X[i * F + vc]!));
  const T = terms.length, n = rows.length;
  const Z = new Float64Array(n * T), target = new Float64Array(n);
  const moves = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const i = rows[k]!;
    const base = Math.max(ds.X[i * F + vc]!, base_floor);
    const r = ratios(terms, (name) => ds.X[i * F + col.get(name)!]!, base);
    Z.set(r, k * T);
    moves[k] = Math.abs(ds.y[i]!) / base;
  }
  // Candles that did not move would pull log|r| to −∞: their moves count as a low quantile's.
  const sortedMoves = moves.slice().sort();
  const positive = sortedMoves.filter((m) => m > 0);
  const least = Math.max(
    quantileSorted(sortedMoves, 0.1),
    positive.length ? 0.1 * quantileSorted(positive, 0.5) : 1e-6,
  );
  for (let k = 0; k < n; k++) target[k] = Math.log(Math.max(moves[k]!, least));
  const lo: number[] = [], hi: number[] = [];
  for (let t = 0; t < T; t++) {
    const column = Float64Array.from({ length: n }, (_, k) => Z[k * T + t]!).sort();
    lo.push(quantileSorted(column, CLIP_QUANTILE));
    hi.push(quantileSorted(column, 1 - CLIP_QUANTILE));
    for (let k = 0; k < n; k++) Z[k * T + t] = Math.min(hi[t]!, Math.max(lo[t]!, Z[k * T + t]!));
  }
  try {
    const fit = fitRidge(Z, target, n, T, LAMBDA);
    return { base_floor, terms, mean: fit.mean, std: fit.std, weights: fit.weights, lo, hi };
  } catch {
    return null;
  }
}

/**
 * What makes a card's scale model unusable (a hand edit, a damaged file), or null when it can serve
 * a model reading `features`.
 */
export function scaleModelProblem(model: unknown, features: readonly string[]): string | null {
  const m = model as Partial<Record<keyof ScaleModel, unknown>> | null;
  if (typeof m !== "object" || m === null) return "not an object";
  const terms = m.terms;
  if (!Array.isArray(terms) || terms.length === 0) return "no terms";
  const unknown = terms.filter((t) => typeof t !== "string" || !(t in TERMS));
  if (unknown.length > 0) return `unknown terms: ${unknown.join(", ")}`;
  if (new Set(terms).size !== terms.length) return "a term is repeated";
  for (const key of ["mean", "std", "weights", "lo", "hi"] as const) {
    const v = m[key];
    if (!Array.isArray(v) || v.length !== terms.length || !v.every((x) => Number.isFinite(x))) {
      return `${key} is not ${terms.length} finite numbers`;
    }
  }
  if ((m.std as number[]).some((x) => x <= 0)) return "a deviation is not positive";
  if ((m.lo as number[]).some((x, t) => x > (m.hi as number[])[t]!)) return "a clip range is empty";
  if (typeof m.base_floor !== "number" || !(m.base_floor > 0) || !Number.isFinite(m.base_floor)) {
    return "base_floor is not a positive number";
  }
  const needs = [SCALE_FEATURE, ...terms.flatMap((t) => TERMS[t as string]!.needs)];
  const missing = needs.filter((n) => !features.includes(n));
  return missing.length ? `it reads features the model does not: ${[...new Set(missing)].join(", ")}` : null;
}

/** σ of a row whose features `f` gives: realised volatility, times the multiplier if there is one. */
export function scaleOf(model: ScaleModel | null | undefined, f: Lookup): number {
  const vol = f(SCALE_FEATURE);
  if (!model) return vol;
  const base = Math.max(vol, model.base_floor);
  const r = ratios(model.terms, f, base);
  let s = 0;
  r.forEach((v, t) => {
    const clipped = Math.min(model.hi[t]!, Math.max(model.lo[t]!, v));
    s += ((clipped - model.mean[t]!) / model.std[t]!) * model.weights[t]!;
  });
  return base * Math.exp(s);
}

/** σ of a dataset row, by its index, under `model`. */
export function rowScale(ds: Dataset, model: ScaleModel | null): (i: number) => number {
  const F = ds.features.length;
  const col = new Map(ds.features.map((name, k) => [name, k]));
  return (i) => scaleOf(model, (name) => ds.X[i * F + col.get(name)!]!);
}
