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

/** Raised for a value that is not a valid candle; the message names the field. */
export class InvalidCandleError extends TypeError {
  override name = "InvalidCandleError";
}

/**
 * Checks a candle's fields (types, window alignment, OHLC consistency) and returns it typed;
 * throws {@linkcode InvalidCandleError} naming the first bad field.
 */
export function validateCandle(c: Record<string, unknown>): Candle {
  const fail = (field: string) => {
    throw new InvalidCandleError(`${field} is invalid: ${JSON.stringify(c[field])}`);
  };
  if (typeof c.pair !== "string" || !/^[A-Z0-9]{2,10}\/[A-Z0-9]{2,10}$/.test(c.pair)) fail("pair");
  if (typeof c.window !== "string" || !isWindow(c.window)) fail("window");
  const size = WINDOW_MS[c.window as Window];
  for (const f of ["window_start", "window_end", "trades"] as const) {
    if (typeof c[f] !== "number" || !Number.isSafeInteger(c[f]) || (c[f] as number) < 0) fail(f);
  }
  if ((c.window_start as number) % size !== 0) fail("window_start");
  if (c.window_end !== (c.window_start as number) + size) fail("window_end");
  for (const f of ["open", "high", "low", "close", "vwap"] as const) {
    if (typeof c[f] !== "number" || !((c[f] as number) > 0) || c[f] === Infinity) fail(f);
  }
  for (const f of ["volume", "buy_volume", "sell_volume"] as const) {
    if (typeof c[f] !== "number" || !((c[f] as number) >= 0) || c[f] === Infinity) fail(f);
  }
  const { open, high, low, close } = c as unknown as Candle;
  if (low > high || open > high || open < low || close > high || close < low) fail("high");
  return {
    pair: c.pair as string,
    window: c.window as Window,
    window_start: c.window_start as number,
    window_end: c.window_end as number,
    open,
    high,
    low,
    close,
    volume: c.volume as number,
    vwap: c.vwap as number,
    trades: c.trades as number,
    buy_volume: c.buy_volume as number,
    sell_volume: c.sell_volume as number,
  };
}
