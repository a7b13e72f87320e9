/** Candles: OHLCV bars of one pair over one tumbling event-time window. */

export const WINDOWS = ["1m", "5m", "15m", "1h"] as const;
export type Window = typeof WINDOWS[number];

export const WINDOW_MS: Readonly<Record<Window, number>> = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "1h": 3_600_000,
};

export interface Candle {
  pair: string;
  window: Window;
  /** Inclusive start and exclusive end, epoch ms. */
  window_start: number;
  window_end: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Volume-weighted average price; equals `close` for a window with no volume. */
  vwap: number;
  trades: number;
  buy_volume: number;
  sell_volume: number;
}

/**
 * Parses a comma-separated list of windows, smallest first, without repeats; throws a
 * `RangeError` naming a bad one.
 *
 * @example
 * ```ts
 * parseWindows("5m,1m"); // ["1m", "5m"]
 * ```
 */
export function parseWindows(text: string): Window[] {
  const out = new Set<Window>();
  for (const raw of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (!(WINDOWS as readonly string[]).includes(raw)) {
      throw new RangeError(`'${raw}' is not a window (one of ${WINDOWS.join(", ")})`);
    }
    out.add(raw as Window);
  }
  if (out.size === 0) throw new RangeError("no window given");
  return [...out].sort((a, b) => WINDOW_MS[a] - WINDOW_MS[b]);
}

export function isWindow(text: string): text is Window {
  return (WINDOWS as readonly string[]).includes(text);
}

/** The start of the window of `size` ms that holds `ts`. */
export function windowStart(ts: number, size: number): number {
  return ts - (((ts % size) + size) % size);
}
