/**
 * The one contract every indicator follows: `add(input)` returns the value, or `null` while
 * warming up; `isStable` says warm-up is over; `requiredInputs` is how many inputs that takes.
 * All state is plain data in `state`, so a whole indicator set serialises to JSON for the
 * checkpoint and comes back bit-identical (`new X(params, state)`).
 */
export interface Indicator<In, Out> {
  add(input: In): Out | null;
  readonly isStable: boolean;
  readonly requiredInputs: number;
  readonly state: unknown;
}

/** A fixed-size window of the last values with a running count, as plain data. */
export interface Ring {
  values: number[];
  next: number;
  count: number;
}

export function ring(size: number): Ring {
  return { values: new Array<number>(size).fill(0), next: 0, count: 0 };
}

/** Pushes `x`; returns the value it pushed out (0 while the ring is filling). */
export function push(r: Ring, x: number): number {
  const out = r.values[r.next] as number;
  r.values[r.next] = x;
  r.next = (r.next + 1) % r.values.length;
  if (r.count < r.values.length) r.count++;
  return r.count === r.values.length ? out : 0;
}

export function full(r: Ring): boolean {
  return r.count === r.values.length;
}

/** The i-th newest value (0 = newest). */
export function back(r: Ring, i: number): number {
  const n = r.values.length;
  return r.values[(r.next - 1 - i + 2 * n) % n] as number;
}

export function positiveInt(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what} must be a positive integer, got ${n}`);
  return n;
}
