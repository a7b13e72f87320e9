/** Volatility and trend strength with TA-Lib's definitions: Bollinger Bands, ATR, ADX. */
import { back, full, type Indicator, positiveInt, push, type Ring, ring } from "./contract.ts";

export interface Bar {
  high: number;
  low: number;
  close: number;
}

export interface BandsValue {
  upper: number;
  middle: number;
  lower: number;
}

export interface BbandsState {
  /** The last `period` inputs. */
  ring: Ring;
  /** Sum of the inputs still in the window after this one (the oldest already taken out). */
  sum: number;
  /**
   * The variance is summed over the inputs minus `shift`, a recent mean, so a flat window sums
   * exact zeros instead of subtracting two squares of the price that differ in the last bits.
   */
  shift: number;
  dev: number;
  devSq: number;
  /** Inputs left before the shifted sums are recomputed from the window. */
  untilReseed: number;
}

/**
 * Bollinger Bands: SMA ± `k` population standard deviations over `period` inputs, computed as
 * TA-Lib 0.8 does. Summing squares of prices and subtracting the squared mean leaves rounding
 * noise of about price² × 1e-16, which on a flat window is a band of ±1e-3 at 40,000 where TA-Lib
 * has none; so the deviations are taken from a shift, re-centred on the window's mean when they
 * have cancelled (or every 32 periods), and a variance below 1e-12 of the mean square is zero.
 */
export class Bbands implements Indicator<number, BandsValue> {
  readonly requiredInputs: number;
  readonly state: BbandsState;
  #inv: number;

  constructor(readonly period: number, readonly k: number, state?: BbandsState) {
    this.requiredInputs = positiveInt(period, "Bollinger period");
    this.#inv = 1 / period;
    this.state = state ?? { ring: ring(period), sum: 0, shift: 0, dev: 0, devSq: 0, untilReseed: 0 };
    // Checkpoints written before the shifted sums existed: rebuild them from the window.
    if (this.state.shift === undefined) this.#resume();
  }

  add(x: number): BandsValue | null {
    const s = this.state;
    const r = s.ring;
    if (r.count === 0) {
      s.shift = x;
      s.untilReseed = 32 * this.period;
    }
    push(r, x);
    s.sum += x;
    let t = x - s.shift;
    s.dev += t;
    s.devSq += t * t;
    if (!full(r)) return null;
    const inv = this.#inv;
    const mean = s.dev * inv;
    let variance = s.devSq * inv - mean * mean;
    const middle = s.sum / this.period;
    const oldest = back(r, this.period - 1);
    s.sum -= oldest;
    t = oldest - s.shift;
    s.dev -= t;
    t *= t;
    s.devSq -= t;
    s.untilReseed--;
    if (variance < 1e-6 * (s.devSq * inv) || t > 1e6 * s.devSq || s.untilReseed <= 0) {
      variance = this.#reseed();
    }
    const sd = variance !== 0 ? Math.sqrt(variance) * this.k : 0;
    return { upper: middle + sd, middle, lower: middle - sd };
  }

  /** Re-centres the shifted sums on the window's mean; returns the window's variance. */
  #reseed(): number {
    const s = this.state;
    const n = this.period;
    const inv = this.#inv;
    s.untilReseed = 32 * n;
    let total = 0;
    for (let i = n - 1; i >= 0; i--) total += back(s.ring, i);
    s.shift = total * inv;
    s.dev = 0;
    s.devSq = 0;
    for (let i = n - 1; i >= 0; i--) {
      const t = back(s.ring, i) - s.shift;
      s.dev += t;
      s.devSq += t * t;
    }
    const mean = s.dev * inv;
    let variance = s.devSq * inv - mean * mean;
    if (variance < 1e-12 * (s.devSq * inv)) variance = 0;
    const t = back(s.ring, n - 1) - s.shift;
    s.dev -= t;
    s.devSq -= t * t;
    return variance;
  }

  #resume(): void {
    const s = this.state;
    const r = s.ring;
    const kept = Math.min(r.count, this.period - 1);
    s.sum = 0;
    s.dev = 0;
    s.devSq = 0;
    s.shift = kept > 0 ? back(r, kept - 1) : 0;
    s.untilReseed = 32 * this.period;
    for (let i = kept - 1; i >= 0; i--) {
      const x = back(r, i);
      s.sum += x;
      s.dev += x - s.shift;
      s.devSq += (x - s.shift) * (x - s.shift);
    }
  }

  get isStable(): boolean {
    return full(this.state.ring);
  }
}

function trueRange(bar: Bar, prevClose: number): number {
  return Math.max(bar.high, prevClose) - Math.min(bar.low, prevClose);
}

export interface AtrState {
  prevClose: number | null;
  seen: number;
  value: number;
  ready: boolean;
}

/** Average True Range: the mean of the first `period` true ranges, then Wilder's smoothing. */
export class Atr implements Indicator<Bar, number> {
  readonly requiredInputs: number;
  readonly state: AtrState;

  constructor(readonly period: number, state?: AtrState) {
    this.requiredInputs = positiveInt(period, "ATR period") + 1;
    this.state = state ?? { prevClose: null, seen: 0, value: 0, ready: false };
  }

  add(bar: Bar): number | null {
    const s = this.state;
    if (s.prevClose === null) {
      s.prevClose = bar.close;
      return null;
    }
    const tr = trueRange(bar, s.prevClose);
    s.prevClose = bar.close;
    const n = this.period;
    if (!s.ready) {
      s.value += tr;
      if (++s.seen < n) return null;
      s.value /= n;
      s.ready = true;
      return s.value;
    }
    s.value = (s.value * (n - 1) + tr) / n;
    return s.value;
  }

  get isStable(): boolean {
    return this.state.ready;
  }
}

export interface AdxState {
  prev: Bar | null;
  seen: number;
  plusDm: number;
  minusDm: number;
  tr: number;
  dxSum: number;
  dxSeen: number;
  adx: number | null;
}

/**
 * Average Directional Index. +DM/−DM and true range are kept as Wilder running sums seeded over
 * the first `period − 1` changes; DX from the next change on; ADX is the mean of the first
 * `period` DX values, then Wilder-smoothed. A tie between up and down moves counts as neither.
 */
export class Adx implements Indicator<Bar, number> {
  readonly requiredInputs: number;
  readonly state: AdxState;

  constructor(readonly period: number, state?: AdxState) {
    this.requiredInputs = 2 * positiveInt(period, "ADX period");
    this.state = state ??
      { prev: null, seen: 0, plusDm: 0, minusDm: 0, tr: 0, dxSum: 0, dxSeen: 0, adx: null };
  }

  add(bar: Bar): number | null {
    const s = this.state;
    const n = this.period;
    const prev = s.prev;
    s.prev = { high: bar.high, low: bar.low, close: bar.close };
    if (prev === null) return null;
    const up = bar.high - prev.high;
    const down = prev.low - bar.low;
    const plus = up > 0 && up > down ? up : 0;
    const minus = down > 0 && down > up ? down : 0;
    const tr = trueRange(bar, prev.close);
    s.seen++;
    if (s.seen < n) {
      s.plusDm += plus;
      s.minusDm += minus;
      s.tr += tr;
      return null;
    }
    s.plusDm = s.plusDm - s.plusDm / n + plus;
    s.minusDm = s.minusDm - s.minusDm / n + minus;
    s.tr = s.tr - s.tr / n + tr;
    let dx = 0;
    if (s.tr !== 0) {
      const plusDi = 100 * (s.plusDm / s.tr);
      const minusDi = 100 * (s.minusDm / s.tr);
      const sum = plusDi + minusDi;
      if (sum !== 0) dx = 100 * (Math.abs(plusDi - minusDi) / sum);
    }
    if (s.adx === null) {
      s.dxSum += dx;
      if (++s.dxSeen < n) return null;
      s.adx = s.dxSum / n;
      return s.adx;
    }
    s.adx = (s.adx * (n - 1) + dx) / n;
    return s.adx;
  }

  get isStable(): boolean {
    return this.state.adx !== null;
  }
}
