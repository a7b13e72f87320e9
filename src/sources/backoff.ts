/** Options of {@linkcode backoffDelay}. */
export interface BackoffOptions {
  /** First delay, ms. @default 500 */
  baseMs?: number;
  /** Longest delay, ms. @default 30000 */
  maxMs?: number;
}

/**
 * Exponential backoff with "full jitter": a uniform delay in [0, min(max, base·2^attempt)], so a
 * crowd of clients that lost the same server do not come back in lockstep.
 *
 * @example
 * ```ts
 * backoffDelay(3, { baseMs: 100 }, Math.random); // somewhere in 0..800 ms
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const cap = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return Math.round(cap * random());
}
