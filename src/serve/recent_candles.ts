/**
 * The chart's recent candles kept in memory and brought up to date from the store's newest few,
 * so a refresh reads a handful of rows instead of every candle shown. Pure: the reads are the
 * caller's.
 */

/** A candle as the chart draws it; `t` is the window start. */
export interface CandlePoint {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/**
 * `kept` (newest first) updated with `fresh` (newest first, the store's newest rows): a fresh
 * candle replaces a kept one of the same start, later ones are added, at most `max` are kept.
 * `null` when `fresh` does not reach back to the newest kept candle (more closed than were read),
 * so the caller reads them all again.
 *
 * @example
 * ```ts
 * const items = mergeRecent(kept, fresh, 500) ?? await readAll();
 * ```
 */
export function mergeRecent(
  kept: readonly CandlePoint[],
  fresh: readonly CandlePoint[],
  max: number,
): CandlePoint[] | null {
  const oldestFresh = fresh.at(-1);
  if (oldestFresh === undefined) return kept.slice(0, max);
  const newestKept = kept[0];
  if (newestKept !== undefined && oldestFresh.t > newestKept.t) return null;
  const older = kept.filter((c) => c.t < oldestFresh.t);
  return [...fresh, ...older].slice(0, max);
}
