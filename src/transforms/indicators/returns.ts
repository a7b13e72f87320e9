/** Log returns and realised volatility of a series of closes. */
import { back, full, type Indicator, positiveInt, push, type Ring, ring } from "./contract.ts";

export interface LogReturnState {
  /** The last `span + 1` inputs. */
  ring: Ring;
}

/** ln(x / the input `span` before it). */
export class LogReturn implements Indicator<number, number> {
  readonly requiredInputs: number;
  readonly state: LogReturnState;

  constructor(readonly span: number, state?: LogReturnState) {
    this.requiredInputs = positiveInt(span, "log return span") + 1;
    this.state = state ?? { ring: ring(span + 1) };
  }

  add(x: number): number | null {
    const r = this.state.ring;
    push(r, x);
    return full(r) ? Math.log(x / back(r, this.span)) : null;
  }

  get isStable(): boolean {
    return full(this.state.ring);
  }
}

export interface RealizedVolState {
  prev: number | null;
  /** The last `span` squared log returns. */
  squares: Ring;
  sum: number;
}

/** Realised volatility: the square root of the sum of the last `span` squared log returns. */
export class RealizedVol implements Indicator<number, number> {
  readonly requiredInputs: number;
  readonly state: RealizedVolState;

  constructor(readonly span: number, state?: RealizedVolState) {
    this.requiredInputs = positiveInt(span, "realised volatility span") + 1;
    this.state = state ?? { prev: null, squares: ring(span), sum: 0 };
  }

  add(x: number): number | null {
    const s = this.state;
    const prev = s.prev;
    s.prev = x;
    if (prev === null) return null;
    const r = Math.log(x / prev);
    s.sum += r * r - push(s.squares, r * r);
    // The running sum can drift a few ulps below zero once large returns leave the window.
    return full(s.squares) ? Math.sqrt(Math.max(0, s.sum)) : null;
  }

  get isStable(): boolean {
    return full(this.state.squares);
  }
}
