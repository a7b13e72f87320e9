/**
 * Candle file formats, as pure line parsers (one line → a Candle of the given window, or `null`
 * for a header). Candles enter the pipeline at the candle stage.
 *
 * - `kraken-ohlcvt`: Kraken's downloadable OHLCVT, `unix_time,open,high,low,close,volume,trades`,
 *   no header. It has no vwap, so the typical price (h+l+c)/3 stands in; no taker sides either,
 *   so buy and sell volume are 0.
 * - `kraken-ohlc`: the REST OHLC layout with a header, `time,open,high,low,close,vwap,volume,count`
 *   (extra columns such as `time_fmt` are ignored). Kraken writes vwap 0 for an empty window; it
 *   becomes the close, as for the flat candles the system makes itself.
 */
import { type Candle, type Window, WINDOW_MS } from "../../domain/candle.ts";
import { splitCsv } from "./csv.ts";

export const CANDLE_FORMATS = ["kraken-ohlcvt", "kraken-ohlc"] as const;
export type CandleFormat = typeof CANDLE_FORMATS[number];

function num(value: string | undefined, field: string): number {
  const n = value === undefined || value.trim() === "" ? NaN : Number(value);
  if (!Number.isFinite(n)) throw new TypeError(`${field} ${JSON.stringify(value)} is not a number`);
  return n;
}

function candle(
  pair: string,
  window: Window,
  seconds: number,
  o: number,
  h: number,
  l: number,
  c: number,
  vwap: number,
  volume: number,
  trades: number,
): Candle {
  const size = WINDOW_MS[window];
  const start = Math.round(seconds * 1000);
  if (start % size !== 0) {
    // The file's interval was told from its first candles before the load: a candle off the grid
    // now is out of place, not a sign that the whole file is of another interval.
    throw new TypeError(`time ${seconds} is not the start of a ${window} window`);
  }
  if (!(h >= l) || o > h || o < l || c > h || c < l || volume < 0 || trades < 0) {
    throw new TypeError(`inconsistent candle (open ${o}, high ${h}, low ${l}, close ${c}, volume ${volume})`);
  }
  return {
    pair,
    window,
    window_start: start,
    window_end: start + size,
    open: o,
    high: h,
    low: l,
    close: c,
    volume,
    vwap: volume > 0 && vwap > 0 ? vwap : c,
    trades,
    buy_volume: 0,
    sell_volume: 0,
  };
}

/** The columns of a Kraken WebSocket v2 `ohlc` capture, as in `../shared/data/kraken`. */
const WS_OHLC = ["symbol", "open", "high", "low", "close", "vwap", "trades", "tstart"];

/**
 * Why a file with the header `cells` is refused, when it is a WebSocket v2 ohlc capture, which
 * looks like a candle file but is not one: it holds several pairs, and the last candle of each
 * was still open when it was captured (it ends after `ttrue`).
 */
export function wsOhlcCapture(cells: readonly string[]): string | undefined {
  const header = cells.map((c) => c.trim().toLowerCase());
  if (!WS_OHLC.every((c) => header.includes(c))) return undefined;
  return "it is a capture of Kraken's WebSocket v2 ohlc channel, which backfill does not read: it holds the " +
    "candles of several pairs, and the last one of each was still open when captured; backfill the same " +
    "span from its trades (REST, or a trade file) instead";
}

/** A parser for `format`, for candles of `pair` and `window`. */
export function candleLineParser(
  format: CandleFormat,
  pair: string,
  window: Window,
): (line: string) => Candle | null {
  if (format === "kraken-ohlcvt") {
    return (line) => {
      const cells = line.split(",");
      if (cells.length !== 7) {
        throw new TypeError(
          `expected 7 columns (unix_time,open,high,low,close,volume,trades), got ${cells.length}`,
        );
      }
      const [t, o, h, l, c, v, n] = cells;
      const high = num(h, "high"), low = num(l, "low"), close = num(c, "close");
      return candle(
        pair,
        window,
        num(t, "time"),
        num(o, "open"),
        high,
        low,
        close,
        (high + low + close) / 3,
        num(v, "volume"),
        num(n, "trades"),
      );
    };
  }
  let index: Record<string, number> | undefined;
  return (line) => {
    const cells = splitCsv(line);
    if (index === undefined) {
      const capture = wsOhlcCapture(cells);
      if (capture !== undefined) throw new TypeError(capture);
      const header = cells.map((c) => c.trim().toLowerCase());
      index = {};
      for (const need of ["time", "open", "high", "low", "close", "vwap", "volume", "count"]) {
        const i = header.indexOf(need);
        if (i < 0) {
          throw new TypeError(
            `header has no ${need} column (kraken-ohlc needs time,open,high,low,close,vwap,volume,count)`,
          );
        }
        index[need] = i;
      }
      return null;
    }
    const get = (name: string) => cells[index?.[name] as number];
    return candle(
      pair,
      window,
      num(get("time"), "time"),
      num(get("open"), "open"),
      num(get("high"), "high"),
      num(get("low"), "low"),
      num(get("close"), "close"),
      num(get("vwap"), "vwap"),
      num(get("volume"), "volume"),
      num(get("count"), "count"),
    );
  };
}
