/**
 * A candle file is read on the 1m grid, which every window is on, so that its interval can be told
 * from its first candles (candle_interval.ts) before they are taken for candles of the run's
 * smallest window: read on that window's grid, 1m candles would look like bad lines, and skipping
 * them would keep every fifth. Once the interval is known, a candle that does not start a window of
 * that size is out of place, a bad line like any other; but when most of the recent candles are,
 * the file's interval has changed under the run (a 5m file that goes on in 1m candles), and
 * skipping them would again keep every fifth, so the load fails whatever `skipBadLines` says.
 */
import { type Candle, type Window, WINDOW_MS } from "../../domain/candle.ts";
import { isoTime } from "../../domain/time.ts";
import { type Logger, silent } from "../../util/log.ts";

export interface CandleWindowOptions {
  /** Named in messages. */
  path: string;
  skipBadLines?: boolean | undefined;
  log?: Logger | undefined;
}

/** How many of the latest candles are looked at, and how many off the grid tell an interval change. */
const RECENT = 50, CHANGED = 25;

/**
 * Candles → the same candles as candles of `window`. One off that window's grid fails the stream,
 * or with `skipBadLines` is counted in `stats.skipped` (the first five logged) and dropped.
 */
export function candlesOfWindow(
  window: Window,
  options: CandleWindowOptions,
): { stage: TransformStream<Candle, Candle>; stats: { skipped: number } } {
  const size = WINDOW_MS[window];
  const log = options.log ?? silent;
  const stats = { skipped: 0 };
  const recent: boolean[] = [];
  let offGrid = 0;
  const stage = new TransformStream<Candle, Candle>({
    transform(c, controller) {
      const off = c.window !== window && c.window_start % size !== 0;
      recent.push(off);
      if (off) offGrid++;
      if (recent.length > RECENT && recent.shift()) offGrid--;
      if (offGrid > CHANGED) {
        throw new TypeError(
          `${options.path}: ${offGrid} of the ${recent.length} candles up to ${isoTime(c.window_start)} do ` +
            `not start a ${window} window: the file's interval changes there; load each interval's part ` +
            `as a file of its own`,
        );
      }
      if (c.window === window) controller.enqueue(c);
      else if (!off) {
        controller.enqueue({ ...c, window, window_end: c.window_start + size });
      } else {
        const why = `the candle at ${isoTime(c.window_start)} does not start a ${window} window`;
        if (!options.skipBadLines) {
          throw new TypeError(`${options.path}: ${why} (--skip-bad-lines to skip such candles)`);
        }
        if (++stats.skipped <= 5) log.warn(`${options.path}: skipped: ${why}`);
      }
    },
  });
  return { stage, stats };
}
