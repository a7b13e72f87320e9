/** Volatility and trend strength with TA-Lib's definitions: Bollinger Bands, ATR, ADX. */
import { full, type Indicator, positiveInt, push, type Ring, ring } from "./contract.ts";

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
  ring: Ring;
  sum: number;
  sumSq: number;
}

/** Bollinger Bands: SMA ± `k` population standard deviations over `period` inputs. */
export class Bbands implements Indicator<number, BandsValue> {
  readonly requiredInputs: number;
  readonly state: BbandsState;

  constructor(readonly period: number, readonly k: number, state?: BbandsState) {
    this.requiredInputs = positiveInt(period, "Bollinger period");
    this.state = state ?? { ring: ring(period), sum: 0, sumSq: 0 };
  }

  add(x: number): BandsValue | null {
    const s = this.state;
    const out = push(s.ring, x);
    s.sum += x - out;
    s.sumSq += x * x - out * out;
    if (!full(s.ring)) return null;
    const mean = s.sum / this.period;
    const variance = s.sumSq / this.period - mean * mean;
    const sd = variance > 0 ? Math.sqrt(variance) : 0;
    return { upper: mean + this.k * sd, middle: mean, lower: mean - this.k * sd };
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
