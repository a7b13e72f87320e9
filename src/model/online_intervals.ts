/**
 * Conformal intervals that keep learning once the model is in use. A realised close adds its score
 * (|actual − predicted log return| / σ) to the calibration, recency-weighted like the rest, and
 * moves the level each interval is drawn at by adaptive conformal inference (Gibbs and Candès,
 * 2021): a miss raises it by γ·L, a hit lowers it by γ·(1 − L), so the share of misses tracks
 * 1 − L even when volatility changes faster than the scale σ follows. Training measures the
 * intervals this way on its test folds, and serving runs the same steps on live closes.
 */
import { inside, type LiveIntervalState, type Prediction } from "../domain/prediction.ts";

/** ACI's step γ: how far one realised close moves the level (Gibbs and Candès's value). */
export const ACI_STEP = 0.005;
/** The adapted level stays in this range, so an interval is never empty or unbounded. */
const MIN_LEVEL = 0.5, MAX_LEVEL = 0.995;

/** Scores in ascending order with the times of their rows. */
export class ScoreBook {
  readonly scores: number[] = [];
  readonly times: number[] = [];

  add(score: number, time: number): void {
    let lo = 0, hi = this.scores.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.scores[mid]! <= score) lo = mid + 1;
      else hi = mid;
    }
    this.scores.splice(lo, 0, score);
    this.times.splice(lo, 0, time);
  }

  /**
   * The recency-weighted conformal quantile at `level` for a row at `at` (Barber, Candès, Ramdas
   * and Tibshirani 2023): a score weighs 0.5^(age / halfLife), the new row 1 at +∞. When the
   * weights cannot reach the level, the largest score (a finite, widest interval) instead of ∞.
   */
  quantile(level: number, at: number, halfLifeMs: number, also?: ScoreBook): number {
    const { scores: sa, times: ta } = this, { scores: sb, times: tb } = also ?? EMPTY;
    const weight = (t: number) => Math.pow(0.5, Math.max(0, at - t) / halfLifeMs);
    let total = 1;
    for (const t of ta) total += weight(t);
    for (const t of tb) total += weight(t);
    let i = 0, j = 0, cum = 0, last = Infinity;
    while (i < sa.length || j < sb.length) {
      const fromA = j >= sb.length || (i < sa.length && sa[i]! <= sb[j]!);
      const s = fromA ? sa[i]! : sb[j]!;
      cum += weight(fromA ? ta[i++]! : tb[j++]!);
      last = s;
      if (cum / total >= level - 1e-12) return s;
    }
    return last;
  }
}

const EMPTY = new ScoreBook();

/** The level an interval of nominal `level` is drawn at after `drift` (Σ misses − (1 − L) per close). */
export function adaptedLevel(level: number, drift: number, step = ACI_STEP): number {
  return Math.min(MAX_LEVEL, Math.max(MIN_LEVEL, level + step * drift));
}

/** The drift after one realised close, inside the interval or not. */
export function nextDrift(level: number, drift: number, inside: boolean): number {
  return drift + (inside ? 0 : 1) - (1 - level);
}

/** The live scores a series keeps per model version (a Deno KV value holds at most 64 KiB). */
export const LIVE_SCORES = 2000;

/** The state after a realised close of a prediction by `version`: its score, row time and hits by level. */
export function observeLive(
  state: LiveIntervalState | null,
  version: string,
  score: number,
  time: number,
  inside: Record<string, boolean>,
): LiveIntervalState {
  const base = state?.version === version ? state : null;
  const drift: Record<string, number> = {};
  for (const [level, hit] of Object.entries(inside)) {
    drift[level] = nextDrift(Number(level), base?.drift[level] ?? 0, hit);
  }
  const scores = [...(base?.scores ?? []), Number(score.toPrecision(5))];
  const times = [...(base?.times ?? []), time];
  const over = Math.max(0, scores.length - LIVE_SCORES);
  return { version, drift, scores: scores.slice(over), times: times.slice(over) };
}

/** A book of scores already in ascending order. */
export function sortedBook(scores: readonly number[], times: readonly number[], from = -Infinity): ScoreBook {
  const book = new ScoreBook();
  scores.forEach((s, k) => {
    if (times[k]! >= from) {
      book.scores.push(s);
      book.times.push(times[k]!);
    }
  });
  return book;
}

/**
 * The same weighted quantile as {@linkcode ScoreBook.quantile} over scores known in advance, added
 * one at a time: a Fenwick tree of weights by rank answers each query in O(log n), which keeps
 * training's row-by-row pass fast on a year of candles. A score at time t weighs
 * 2^((t − ref) / halfLife), so the weights of a query at `at` are these divided by 2^((at − ref) / halfLife).
 */
export class RankedScores {
  readonly #sorted: Float64Array;
  /** Rank of each score of the universe, by its index there. */
  readonly #rank: Uint32Array;
  readonly #tree: Float64Array;
  #total = 0;
  #top = -1;

  constructor(universe: ArrayLike<number>, readonly ref: number, readonly halfLifeMs: number) {
    const order = Uint32Array.from({ length: universe.length }, (_, i) => i)
      .sort((a, b) => universe[a]! - universe[b]!);
    this.#sorted = Float64Array.from(order, (i) => universe[i]!);
    this.#rank = new Uint32Array(universe.length);
    order.forEach((i, r) => this.#rank[i] = r);
    this.#tree = new Float64Array(universe.length + 1);
  }

  #u(time: number): number {
    return Math.pow(2, (time - this.ref) / this.halfLifeMs);
  }

  /** Adds the universe's score `index`, of a row at `time`. */
  add(index: number, time: number): void {
    const r = this.#rank[index]!, w = this.#u(time);
    this.#total += w;
    if (r > this.#top) this.#top = r;
    for (let k = r + 1; k < this.#tree.length; k += k & -k) this.#tree[k]! += w;
  }

  quantile(level: number, at: number): number {
    if (this.#top < 0) return Infinity;
    const target = (level - 1e-12) * (this.#total + this.#u(at));
    // The first rank whose prefix sum reaches the target.
    let pos = 0, acc = 0;
    for (let step = 1 << Math.floor(Math.log2(this.#tree.length)); step > 0; step >>= 1) {
      const next = pos + step;
      if (next < this.#tree.length && acc + this.#tree[next]! < target) {
        pos = next;
        acc += this.#tree[next]!;
      }
    }
    return this.#sorted[Math.min(pos, this.#top)]!;
  }
}

/**
 * The live state of the version that made `p` after its close `close` is known; null when `p`
 * says nothing about intervals (naive's, a fallback's, or one made before it carried its σ).
 */
export function observeRealised(
  state: LiveIntervalState | null,
  p: Prediction,
  close: number,
): LiveIntervalState | null {
  const version = p.model.version;
  const scale = p.interval_scale;
  if (version === null || p.model.reason || !scale || !p.interval_80 || !p.interval_95) return null;
  const windowMs = (p.horizon_s * 1000) / p.horizon;
  return observeLive(
    state,
    version,
    Math.abs(Math.log(close / p.predicted_close)) / scale,
    p.made_at - windowMs,
    { "0.8": inside(p.interval_80, close) === 1, "0.95": inside(p.interval_95, close) === 1 },
  );
}
