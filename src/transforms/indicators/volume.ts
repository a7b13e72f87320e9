/** Volume indicators with TA-Lib's definitions: MFI and OBV. */
import { full, type Indicator, positiveInt, push, type Ring, ring } from "./contract.ts";

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
}

/**
 * Money Flow Index over `period` bars: typical price × volume, positive or negative by the move
 * of the typical price (a move within float noise of zero counts as neither, as TA-Lib does);
 * 0 when there was no flow at all.
 */
export class Mfi implements Indicator<VolumeBar, number> {
  readonly requiredInputs: number;
  readonly state: MfiState;

  constructor(readonly period: number, state?: MfiState) {
    this.requiredInputs = positiveInt(period, "MFI period") + 1;
    this.state = state ?? { prevTp: null, pos: ring(period), neg: ring(period), posSum: 0, negSum: 0 };
  }

  add(bar: VolumeBar): number | null {
    const s = this.state;
    const tp = (bar.high + bar.low + bar.close) / 3;
    const prev = s.prevTp;
    s.prevTp = tp;
    if (prev === null) return null;
    const flow = tp * bar.volume;
    const diff = tp - prev;
    const moved = Math.abs(diff) > 1e-14 * (Math.abs(tp) + Math.abs(prev));
    const pos = moved && diff > 0 ? flow : 0;
    const neg = moved && diff < 0 ? flow : 0;
    s.posSum += pos - push(s.pos, pos);
    s.negSum += neg - push(s.neg, neg);
    if (!full(s.pos)) return null;
    const total = s.posSum + s.negSum;
    return total > 0 ? Math.min(100, Math.max(0, 100 * (s.posSum / total))) : 0;
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
