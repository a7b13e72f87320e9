/**
 * A candle file does not say its interval, and reading it as another one makes wrong data
 * quietly: 5m candles read as 1m make every bigger window out of the wrong candles, and 1m candles
 * read as 5m leave four in five of them off the grid, where skipping them as bad lines would keep
 * every fifth 1m candle as a "5m" one. So the interval is told from the file's first candles and
 * checked against the run's smallest window before anything is written, whatever
 * `--skip-bad-lines` says.
 */
import { type Window, WINDOW_MS, WINDOWS } from "../../domain/candle.ts";

export class CandleIntervalError extends Error {
  override name = "CandleIntervalError";
}

const label = (ms: number) => WINDOWS.find((w) => WINDOW_MS[w] === ms) ?? `${ms / 60_000} min`;

/**
 * The interval of candles starting at `starts` (epoch ms, in file order), or `undefined` when it
 * cannot be told (fewer than two candles). It is the largest gap between consecutive candles that
 * nine in ten starts are multiples of: empty windows a file leaves out make bigger gaps, which
 * few starts line up with, and a stray line off the grid makes a smaller one, which it alone
 * breaks.
 *
 * @example
 * ```ts
 * candleInterval([0, 60_000, 180_000, 240_000]); // 60_000
 * ```
 */
export function candleInterval(starts: readonly number[]): number | undefined {
  const gaps = new Set<number>();
  for (let i = 1; i < starts.length; i++) {
    const gap = starts[i]! - starts[i - 1]!;
    if (gap > 0) gaps.add(gap);
  }
  const aligned = (gap: number) => starts.filter((s) => s % gap === 0).length >= 0.9 * starts.length;
  const fits = [...gaps].filter(aligned);
  return fits.length === 0 ? undefined : Math.max(...fits);
}

/**
 * Throws a {@linkcode CandleIntervalError} when the candles starting at `starts` are not of the
 * smallest of `windows` (sorted ascending), naming their interval and the `--windows` to pass.
 */
export function checkCandleInterval(starts: readonly number[], windows: readonly Window[]): void {
  const window = windows[0];
  const interval = candleInterval(starts);
  if (window === undefined || interval === undefined || interval === WINDOW_MS[window]) return;
  const its = label(interval);
  const known = (WINDOWS as readonly string[]).includes(its);
  const instead = [its, ...windows.filter((w) => WINDOW_MS[w] > interval)].join(",");
  const advice = known
    ? `pass --windows starting with its interval, e.g. --windows ${instead}`
    : `--windows takes ${WINDOWS.join(", ")}, so it cannot be loaded as it is`;
  if (interval < WINDOW_MS[window]) {
    throw new CandleIntervalError(
      `it holds ${its} candles, smaller than the smallest of --windows (${window}); ${advice} ` +
        `(bigger windows are merged from the file's candles)`,
    );
  }
  throw new CandleIntervalError(`it holds ${its} candles, not ${window}; ${advice}`);
}
