/** Volume indicators with TA-Lib's definitions: MFI and OBV. */
import { back, full, type Indicator, positiveInt, push, type Ring, ring } from "./contract.ts";

export interface VolumeBar {
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface MfiState {
  prevTp: number | null;
  pos: Ring;
  neg: Ring;
  posSum: number;
  negSum: number;
  /** Bars in a row without money flow (capped at the period). */
  nullRun: number;
}

/**
 * Money Flow Index over `period` bars: typical price × volume, positive or negative by the move
 * of the typical price (a move within float noise of zero counts as neither). As TA-Lib, once a
 * whole period has passed without flow (an outage: no volume; or no move) the window is empty and
 * MFI is 0, rather than the ratio of the few ulps the running sums keep after the last real flow
 * left the window. The sums are updated in TA-Lib's order so the two agree to the last bit.
 */
export class Mfi implements Indicator<VolumeBar, number> {
  readonly requiredInputs: number;
  readonly state: MfiState;

  constructor(readonly period: number, state?: MfiState) {
    this.requiredInputs = positiveInt(period, "MFI period") + 1;
    this.state = state ??
      { prevTp: null, pos: ring(period), neg: ring(period), posSum: 0, negSum: 0, nullRun: 0 };
    if (this.state.nullRun === undefined) this.#resume();
  }

  /** Checkpoints written before `nullRun` existed: count it off the window's flows. */
  #resume(): void {
    const s = this.state;
    let run = 0;
    while (run < s.pos.count && back(s.pos, run) === 0 && back(s.neg, run) === 0) run++;
    s.nullRun = run;
    if (run === this.period) {
      s.posSum = 0;
      s.negSum = 0;
    }
  }

  add(bar: VolumeBar): number | null {
    const s = this.state;
    const tp = (bar.high + bar.low + bar.close) / 3;
    const prev = s.prevTp;
    s.prevTp = tp;
    if (prev === null) return null;
    const diff = tp - prev;
    const moved = Math.abs(diff) > 1e-14 * (Math.abs(tp) + Math.abs(prev));
    const flow = moved ? tp * bar.volume : 0;
    const pos = diff < 0 ? 0 : flow;
    const neg = diff < 0 ? flow : 0;
    s.posSum -= push(s.pos, pos);
    s.negSum -= push(s.neg, neg);
    s.posSum += pos;
    s.negSum += neg;
    s.nullRun = flow === 0 ? Math.min(s.nullRun + 1, this.period) : 0;
    if (s.nullRun === this.period) {
      s.posSum = 0;
      s.negSum = 0;
    }
    if (!full(s.pos)) return null;
    const total = s.posSum + s.negSum;
    if (total <= 0) return 0;
    // The sums drift by a few ulps as the window slides, so either can stray past the total.
    const clamped = s.posSum < 0 ? 0 : s.posSum > total ? total : s.posSum;
    return 100 * (clamped / total);
  }

  get isStable(): boolean {
    return full(this.state.pos);
  }
}

export interface ObvState {
  prevClose: number | null;
  value: number;
}

/** On-Balance Volume, starting at the first bar's volume (as TA-Lib). */
export class Obv implements Indicator<{ close: number; volume: number }, number> {
  readonly requiredInputs = 1;
  readonly state: ObvState;

  constructor(state?: ObvState) {
    this.state = state ?? { prevClose: null, value: 0 };
  }

  add(bar: { close: number; volume: number }): number {
    const s = this.state;
    if (s.prevClose === null) s.value = bar.volume;
    else if (bar.close > s.prevClose) s.value += bar.volume;
    else if (bar.close < s.prevClose) s.value -= bar.volume;
    s.prevClose = bar.close;
    return s.value;
  }

  get isStable(): boolean {
    return this.state.prevClose !== null;
  }
}
