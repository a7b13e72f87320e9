/**
 * Momentum indicators with TA-Lib's definitions: RSI (Wilder), MACD (both EMAs seeded by an SMA
 * and aligned so their first values fall on the same input), Stochastic RSI, ROC.
 */
import { Ema, type EmaState, Sma, type SmaState } from "./averages.ts";
import { back, full, type Indicator, positiveInt, push, type Ring, ring } from "./contract.ts";

export interface RsiState {
  prev: number | null;
  seen: number;
  gain: number;
  loss: number;
  ready: boolean;
}

/**
 * Relative Strength Index: Wilder's smoothing of gains and losses, seeded with their plain
 * average over the first `period` changes; 0 when there was no movement at all (as TA-Lib).
 * The arithmetic is TA-Lib's step for step (it scales by a precomputed 1/period rather than
 * dividing), so the StochRSI built on it sees the same flat windows TA-Lib does.
 */
export class Rsi implements Indicator<number, number> {
  readonly requiredInputs: number;
  readonly state: RsiState;
  #inv: number;

  constructor(readonly period: number, state?: RsiState) {
    this.requiredInputs = positiveInt(period, "RSI period") + 1;
    this.state = state ?? { prev: null, seen: 0, gain: 0, loss: 0, ready: false };
    this.#inv = 1 / period;
  }

  add(x: number): number | null {
    const s = this.state;
    if (s.prev === null) {
      s.prev = x;
      return null;
    }
    const change = x - s.prev;
    s.prev = x;
    const up = change > 0 ? change : 0;
    const down = change < 0 ? -change : 0;
    const n = this.period;
    if (!s.ready) {
      s.gain += up;
      s.loss += down;
      if (++s.seen < n) return null;
      s.gain *= this.#inv;
      s.loss *= this.#inv;
      s.ready = true;
    } else {
      s.gain = (s.gain * (n - 1) + up) * this.#inv;
      s.loss = (s.loss * (n - 1) + down) * this.#inv;
    }
    const total = s.gain + s.loss;
    return total === 0 ? 0 : 100 * (s.gain / total);
  }

  get isStable(): boolean {
    return this.state.ready;
  }
}

export interface MacdValue {
  macd: number;
  signal: number;
  hist: number;
}

export interface MacdState {
  seen: number;
  early: Ring;
  fast: EmaState;
  slow: EmaState;
  signal: EmaState;
}

/**
 * MACD (fast, slow, signal). As TA-Lib, the fast EMA is seeded with the SMA of the `fast`
 * inputs that end where the slow EMA's seed ends, so both start on the same candle; values
 * are returned once the signal line exists.
 */
export class Macd implements Indicator<number, MacdValue> {
  readonly requiredInputs: number;
  readonly state: MacdState;
  #fast: Ema;
  #slow: Ema;
  #signal: Ema;

  constructor(readonly fast: number, readonly slow: number, readonly signal: number, state?: MacdState) {
    positiveInt(fast, "MACD fast period");
    positiveInt(signal, "MACD signal period");
    if (positiveInt(slow, "MACD slow period") < fast) {
      throw new RangeError("MACD slow period must be >= fast");
    }
    this.requiredInputs = slow + signal - 1;
    this.state = state ?? {
      seen: 0,
      early: ring(slow),
      fast: { seen: 0, seed: 0, value: null },
      slow: { seen: 0, seed: 0, value: null },
      signal: { seen: 0, seed: 0, value: null },
    };
    this.#fast = new Ema(fast, this.state.fast);
    this.#slow = new Ema(slow, this.state.slow);
    this.#signal = new Ema(signal, this.state.signal);
  }

  add(x: number): MacdValue | null {
    const s = this.state;
    s.seen++;
    const slow = this.#slow.add(x);
    if (slow === null) {
      push(s.early, x);
      return null;
    }
    let fast: number | null;
    if (s.seen === this.slow) {
      // Seed the fast EMA with the last `fast` inputs, this one included.
      for (let i = this.fast - 2; i >= 0; i--) this.#fast.add(back(s.early, i));
      fast = this.#fast.add(x);
      s.early = ring(1);
    } else {
      fast = this.#fast.add(x);
    }
    const macd = (fast as number) - slow;
    const signal = this.#signal.add(macd);
    return signal === null ? null : { macd, signal, hist: macd - signal };
  }

  get isStable(): boolean {
    return this.#signal.isStable;
  }
}

export interface StochRsiValue {
  k: number;
  d: number;
}

export interface StochRsiState {
  rsi: RsiState;
  window: Ring;
  d: SmaState;
}

/**
 * Stochastic RSI (TA-Lib's STOCHRSI with an SMA for %D): %K is where the RSI sits in its range
 * over the last `kPeriod` RSI values (0 for a range within float noise of flat), %D the SMA of %K.
 */
export class StochRsi implements Indicator<number, StochRsiValue> {
  readonly requiredInputs: number;
  readonly state: StochRsiState;
  #rsi: Rsi;
  #d: Sma;

  constructor(
    readonly rsiPeriod: number,
    readonly kPeriod: number,
    readonly dPeriod: number,
    state?: StochRsiState,
  ) {
    this.state = state ?? {
      rsi: { prev: null, seen: 0, gain: 0, loss: 0, ready: false },
      window: ring(positiveInt(kPeriod, "StochRSI k period")),
      d: { ring: ring(positiveInt(dPeriod, "StochRSI d period")), sum: 0 },
    };
    this.#rsi = new Rsi(rsiPeriod, this.state.rsi);
    this.#d = new Sma(dPeriod, this.state.d);
    this.requiredInputs = this.#rsi.requiredInputs + kPeriod - 1 + dPeriod - 1;
  }

  add(x: number): StochRsiValue | null {
    const rsi = this.#rsi.add(x);
    if (rsi === null) return null;
    const w = this.state.window;
    push(w, rsi);
    if (!full(w)) return null;
    let lo = Infinity, hi = -Infinity;
    for (const v of w.values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    // TA-Lib treats a range within float noise of zero as flat; its RSI wobbles by ~1e-14.
    const k = Math.abs(hi - lo) > 1e-14 * (Math.abs(hi) + Math.abs(lo)) ? ((rsi - lo) / (hi - lo)) * 100 : 0;
    const d = this.#d.add(k);
    return d === null ? null : { k, d };
  }

  get isStable(): boolean {
    return this.#d.isStable;
  }
}

export interface RocState {
  ring: Ring;
}

/** Rate of change in percent over `period` inputs, as TA-Lib (x / old − 1) × 100; 0 when old is 0. */
export class Roc implements Indicator<number, number> {
  readonly requiredInputs: number;
  readonly state: RocState;

  constructor(readonly period: number, state?: RocState) {
    this.requiredInputs = positiveInt(period, "ROC period") + 1;
    this.state = state ?? { ring: ring(period + 1) };
  }

  add(x: number): number | null {
    const r = this.state.ring;
    push(r, x);
    if (!full(r)) return null;
    const old = back(r, this.period);
    return old !== 0 ? (x / old - 1) * 100 : 0;
  }

  get isStable(): boolean {
    return full(this.state.ring);
  }
}
