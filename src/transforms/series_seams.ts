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

/** The first and last window start of each series a run wrote, keyed `PAIR|WINDOW`. */
export type RunSpans = Map<string, { first: number; last: number }>;

/** Records the earliest and latest window start of each series among `rows`. */
export function noteSpans(
  spans: RunSpans,
  rows: readonly { pair: string; window: string; window_start: number }[],
): void {
  for (const r of rows) {
    const key = `${r.pair}|${r.window}`;
    const seen = spans.get(key);
    if (seen === undefined) spans.set(key, { first: r.window_start, last: r.window_start });
    else {
      if (r.window_start < seen.first) seen.first = r.window_start;
      if (r.window_start > seen.last) seen.last = r.window_start;
    }
  }
}

/**
 * One line per seam a run made in a held series. At its start: the run began after the held
 * series' start and no later than one window past its end (a run that began at or before the held
 * start rewrote the series from there, and one past a gap left the two apart). At its end: the run
 * ended inside the held series, whose later rows go on from the candle the run's last one replaced.
 */
export function seamWarnings(
  held: readonly HeldSeries[],
  spans: RunSpans,
  input: "trades" | "candles" = "trades",
): string[] {
  const out: string[] = [];
  for (const h of held) {
    const run = spans.get(`${h.pair}|${h.window}`);
    if (run === undefined) continue;
    const span = `the store's series (${isoTime(h.first)} .. ${isoTime(h.last)})`;
    const { first, last } = run;
    if (first > h.first && first <= h.last + WINDOW_MS[h.window]) {
      const rewrote = first <= h.last
        ? `the candle at ${isoTime(first)} now holds only this run's ${input}, and `
        : "";
      out.push(
        `${h.pair} ${h.window}: this run's rows start at ${isoTime(first)}, where ${span} ` +
          `${first <= h.last ? "already was" : "ended"}. Each run starts its candles and indicators ` +
          `afresh: ${rewrote}the rows after it are warm-up rows (warm = false) again. Load adjacent ` +
          `ranges in one run (one --from/--to, or one file) to keep the series whole.`,
      );
    }
    if (last >= h.first && last < h.last) {
      out.push(
        `${h.pair} ${h.window}: this run's rows end at ${isoTime(last)}, inside ${span}: the candle at ` +
          `${isoTime(last)} now holds only this run's ${input}, and the stored rows after it were ` +
          `computed from the candle it replaced. Load the whole range in one run to keep the series whole.`,
      );
    }
  }
  return out;
}
