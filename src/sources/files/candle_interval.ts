/**
 * A candle file does not say its interval, and a file of 5m candles read as 1m ones would make
 * every bigger window out of the wrong candles without a word. So the interval is checked against
 * the run's smallest window on the first candles: among `sample` consecutive candles of a real
 * series at least one pair is exactly one interval apart, however quiet the market; when none is,
 * the file's candles are bigger than the window and the load stops before anything is written.
 */
import { type Candle, type Window, WINDOW_MS, WINDOWS } from "../../domain/candle.ts";

export class CandleIntervalError extends Error {
  override name = "CandleIntervalError";
}

const label = (ms: number) => WINDOWS.find((w) => WINDOW_MS[w] === ms) ?? `${ms / 60_000} min`;

/**
 * Candles → the same candles, failing with a {@linkcode CandleIntervalError} once `sample`
 * candles (or the end of a shorter file) show no two consecutive candles `window` apart.
 */
export function checkCandleInterval(window: Window, sample = 50): TransformStream<Candle, Candle> {
  const ms = WINDOW_MS[window];
  let seen = 0, last: number | undefined, smallest = Infinity, done = false;
  const verdict = () => {
    done = true;
    if (smallest === Infinity || smallest <= ms) return;
    throw new CandleIntervalError(
      `the file's candles are at least ${label(smallest)} apart, not ${window}: it holds ${
        label(smallest)
      } candles (or coarser); pass --windows starting with its interval, e.g. --windows ${label(smallest)}`,
    );
  };
  return new TransformStream<Candle, Candle>({
    transform(c, controller) {
      if (!done) {
        if (last !== undefined && c.window_start > last) smallest = Math.min(smallest, c.window_start - last);
        last = c.window_start;
        if (++seen >= sample) verdict();
      }
      controller.enqueue(c);
    },
    flush() {
      if (!done) verdict();
    },
  });
}
