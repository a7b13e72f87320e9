/**
 * Where a backfill's series meets what the store held before it. Each run starts its candles and
 * indicators afresh (a file has no checkpoint; a REST range is a job of its own), so a run that
 * begins inside or right after a series the store already holds rewrites the candle at the seam
 * with its own trades only, and turns the rows after it back into warm-up rows. Loading the whole
 * range in one run gives the series one run would; this says when that did not happen.
 */
import { type Window, WINDOW_MS } from "../domain/candle.ts";
import { isoTime } from "../domain/time.ts";

/** A series the store held before the run: its first and last window starts. */
export interface HeldSeries {
  pair: string;
  window: Window;
  first: number;
  last: number;
}

/** The first window start of each series a run wrote, keyed `PAIR|WINDOW`. */
export type RunFirsts = Map<string, number>;

/** Records the earliest window start of each series among `rows`. */
export function noteFirsts(
  firsts: RunFirsts,
  rows: readonly { pair: string; window: string; window_start: number }[],
): void {
  for (const r of rows) {
    const key = `${r.pair}|${r.window}`;
    const seen = firsts.get(key);
    if (seen === undefined || r.window_start < seen) firsts.set(key, r.window_start);
  }
}

/**
 * One line per series whose run began after the held series' start and no later than one window
 * past its end: the series is cut there. A run that began at or before the held start rewrote the
 * whole series itself, and one that began past a gap left the two series apart, as they are.
 */
export function seamWarnings(held: readonly HeldSeries[], firsts: RunFirsts): string[] {
  const out: string[] = [];
  for (const h of held) {
    const first = firsts.get(`${h.pair}|${h.window}`);
    if (first === undefined || first <= h.first || first > h.last + WINDOW_MS[h.window]) continue;
    const rewrote = first <= h.last
      ? `the candle at ${isoTime(first)} now holds only this run's trades, and `
      : "";
    out.push(
      `${h.pair} ${h.window}: this run's rows start at ${isoTime(first)}, where the store's series ` +
        `(${isoTime(h.first)} .. ${isoTime(h.last)}) ${
          first <= h.last ? "already was" : "ended"
        }. Each run ` +
        `starts its candles and indicators afresh: ${rewrote}the rows after it are warm-up rows ` +
        `(warm = false) again. Load adjacent ranges in one run (one --from/--to, or one file) to keep ` +
        `the series whole.`,
    );
  }
  return out;
}
