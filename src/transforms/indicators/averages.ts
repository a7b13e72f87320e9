/** Moving averages with TA-Lib's definitions (EMA seeded with the SMA of its first inputs). */
import { full, type Indicator, positiveInt, push, type Ring, ring } from "./contract.ts";

export interface SmaState {
  ring: Ring;
  sum: number;
}

/** Simple moving average over `period` inputs. */
export class Sma implements Indicator<number, number> {
  readonly requiredInputs: number;
  readonly state: SmaState;

  constructor(readonly period: number, state?: SmaState) {
    this.requiredInputs = positiveInt(period, "SMA period");
    this.state = state ?? { ring: ring(period), sum: 0 };
  }

  add(x: number): number | null {
    const s = this.state;
    // TA-Lib drops the oldest input before adding the newest; the order decides the last bits.
    s.sum -= push(s.ring, x);
    s.sum += x;
    return full(s.ring) ? s.sum / this.period : null;
  }

  get isStable(): boolean {
    return full(this.state.ring);
  }
}

export interface EmaState {
  seen: number;
  seed: number;
  value: number | null;
}

/**
 * Exponential moving average, k = 2 / (period + 1), seeded with the SMA of the first `period`
 * inputs (TA-Lib's default compatibility mode). `k` can be overridden for Wilder's smoothing.
 */
export class Ema implements Indicator<number, number> {
  readonly requiredInputs: number;
  readonly state: EmaState;
  readonly k: number;

  constructor(readonly period: number, state?: EmaState, k?: number) {
    this.requiredInputs = positiveInt(period, "EMA period");
    this.k = k ?? 2 / (period + 1);
    this.state = state ?? { seen: 0, seed: 0, value: null };
  }

  add(x: number): number | null {
    const s = this.state;
    if (s.value === null) {
      s.seen++;
      s.seed += x;
      if (s.seen < this.period) return null;
      s.value = s.seed / this.period;
      return s.value;
    }
    s.value = (x - s.value) * this.k + s.value;
    return s.value;
  }

  get isStable(): boolean {
    return this.state.value !== null;
  }
}
