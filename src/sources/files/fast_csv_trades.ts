/**
 * The fast paths of the CSV trade formats: a line read in place, cell by cell, into a Trade, or
 * `undefined` for the general parser in `trade_formats.ts` to read (or refuse) it. They answer a
 * trade only where the general parser would answer the same one: a quote, padding, a side or order
 * type spelt otherwise, a time in seconds or any doubtful value sends the line the long way.
 */
import type { Trade } from "../../domain/trade.ts";
import { rfc3339ToMs } from "../../domain/time.ts";
import type { FastLineParser } from "./parsed_file.ts";
import { cellIs, Finder, numberCell, PairCells, plainDecimal, plainInteger, word } from "./text_cells.ts";

const PAIR = /^[A-Z0-9]{2,10}\/[A-Z0-9]{2,10}$/;

/** The columns that may hold each field, in the order the general parser tries them. */
export interface TradeColumns {
  ts: number[];
  pair: number[];
  price: number[];
  qty: number[];
  side: number[];
  trade_id: number[];
  ord_type: number[];
}

/**
 * The taker side of unsigned trades by the tick rule: up-tick → buy, down-tick → sell,
 * unchanged → as before.
 */
export class TickRule {
  #lastPrice = NaN;
  #lastSide: "buy" | "sell" = "buy";

  next(price: number): "buy" | "sell" {
    if (price > this.#lastPrice) this.#lastSide = "buy";
    else if (price < this.#lastPrice) this.#lastSide = "sell";
    this.#lastPrice = price;
    return this.#lastSide;
  }
}

/** `unix_time,price,volume` (kraken-trades) in place; the side comes from `tick`. */
export function fastKrakenTrade(pair: string, tick: TickRule): FastLineParser<Trade> | undefined {
  if (!PAIR.test(pair)) return undefined;
  const commas = new Finder(",");
  return (text, start, end, fresh) => {
    if (fresh) commas.reset();
    const c1 = commas.next(text, start);
    if (c1 >= end) return undefined;
    const c2 = commas.next(text, c1 + 1);
    if (c2 >= end) return undefined;
    const price = numberCell(text, c1 + 1, c2);
    const qty = numberCell(text, c2 + 1, end);
    if (!(price > 0 && qty > 0)) return undefined;
    const seconds = plainDecimal(text, start, c1);
    const ts = seconds < 1e11 ? Math.floor(seconds * 1000 + 1e-6) : plainInteger(text, start, c1);
    if (!(ts >= 0)) return undefined;
    return { pair, price, qty, side: tick.next(price), ts };
  };
}

const BUY = word("buy");
const SELL = word("sell");
const B = word("b");
const S = word("s");
const LIMIT = word("limit");
const MARKET = word("market");

/** A trades-csv line in place, given where its header puts each field. */
export function fastCsvTrade(
  columns: TradeColumns,
  width: number,
  defaultPair: string | undefined,
): FastLineParser<Trade> {
  const starts = new Int32Array(width);
  const ends = new Int32Array(width);
  const pairs = new PairCells();
  const fallbackPair = defaultPair && PAIR.test(defaultPair) ? defaultPair : undefined;
  // The first non-empty cell among a field's columns, as the general parser picks it; -1 when none.
  const pick = (candidates: number[]): number => {
    for (let k = 0; k < candidates.length; k++) {
      const c = candidates[k] as number;
      if ((ends[c] as number) > (starts[c] as number)) return c;
    }
    return -1;
  };
  const commas = new Finder(",");
  const quotes = new Finder('"');
  // Finds the cells; false for a line with a quote (its cells are cut another way) or another width.
  const cells = (text: string, start: number, end: number): boolean => {
    if (quotes.next(text, start) < end) return false;
    let from = start;
    for (let k = 0; k < width - 1; k++) {
      const comma = commas.next(text, from);
      if (comma >= end) return false;
      starts[k] = from;
      ends[k] = comma;
      from = comma + 1;
    }
    if (commas.next(text, from) < end) return false;
    starts[width - 1] = from;
    ends[width - 1] = end;
    return true;
  };
  return (text, start, end, fresh) => {
    if (fresh) {
      commas.reset();
      quotes.reset();
    }
    if (!cells(text, start, end)) return undefined;
    let c = pick(columns.price);
    const price = c < 0 ? NaN : numberCell(text, starts[c] as number, ends[c] as number);
    c = pick(columns.qty);
    const qty = c < 0 ? NaN : numberCell(text, starts[c] as number, ends[c] as number);
    if (!(price > 0 && qty > 0)) return undefined;

    c = pick(columns.side);
    if (c < 0) return undefined;
    let s = starts[c] as number, e = ends[c] as number;
    const side = cellIs(text, s, e, BUY) || cellIs(text, s, e, B)
      ? "buy"
      : cellIs(text, s, e, SELL) || cellIs(text, s, e, S)
      ? "sell"
      : undefined;
    if (side === undefined) return undefined;

    c = pick(columns.ts);
    if (c < 0) return undefined;
    s = starts[c] as number, e = ends[c] as number;
    let ts = plainInteger(text, s, e);
    // Digits below 1e11 are epoch seconds to the general parser; other spellings than RFC 3339 are its too.
    if (Number.isNaN(ts)) ts = rfc3339ToMs(text.slice(s, e));
    else if (ts < 1e11) return undefined;
    if (!(Number.isSafeInteger(ts) && ts >= 0)) return undefined;

    c = pick(columns.pair);
    const pair = c < 0 ? fallbackPair : pairs.at(text, starts[c] as number, ends[c] as number);
    if (pair === undefined) return undefined;

    const trade: Trade = { pair, price, qty, side, ts };
    c = pick(columns.trade_id);
    if (c >= 0) {
      const id = plainInteger(text, starts[c] as number, ends[c] as number);
      if (Number.isNaN(id)) return undefined;
      trade.trade_id = id;
    }
    c = pick(columns.ord_type);
    if (c >= 0) {
      s = starts[c] as number, e = ends[c] as number;
      if (cellIs(text, s, e, LIMIT)) trade.ord_type = "limit";
      else if (cellIs(text, s, e, MARKET)) trade.ord_type = "market";
      else return undefined;
    }
    return trade;
  };
}
