/**
 * The fast path of trades-jsonl: a line in exactly the shape the project writes (`tradeToJsonLine`:
 * `{"pair":…,"price":…,"qty":…,"side":…,"ts":…}`, then `"trade_id"` and `"ord_type"` when known,
 * no spaces) read in place into a Trade. Any other line, and any value the general parser might read
 * differently (an escape, a negative number, a time in seconds), answers `undefined` and goes
 * through `JSON.parse`.
 */
import type { Trade } from "../../domain/trade.ts";
import type { FastLineParser } from "./parsed_file.ts";
import { Finder, hasWord, JsonNumbers, PairCells, word } from "./text_cells.ts";

const OPEN = word('{"pair":"');
const PRICE = word('","price":');
const MAX_OPENINGS = 16;

export function fastJsonlTrade(): FastLineParser<Trade> {
  const pairs = new PairCells();
  const numbers = new JsonNumbers();
  const qtyKey = new Finder(',"qty":');
  const buy = new Finder(',"side":"buy","ts":');
  const sell = new Finder(',"side":"sell","ts":');
  const tradeIdKey = new Finder(',"trade_id":');
  const limit = new Finder(',"ord_type":"limit"}');
  const market = new Finder(',"ord_type":"market"}');
  const finders = [qtyKey, buy, sell, tradeIdKey, limit, market];
  // Each pair's line opening, `{"pair":"BTC/USD","price":`, found whole.
  const openings: Finder[] = [];
  const openingPairs: string[] = [];
  const opening = (text: string, start: number, end: number): number => {
    for (let k = 0; k < openings.length; k++) if ((openings[k] as Finder).at(text, start)) return k;
    if (!hasWord(text, start, OPEN)) return -1;
    const quote = text.indexOf('"', start + OPEN.length);
    if (quote < 0 || quote >= end || !hasWord(text, quote, PRICE)) return -1;
    const pair = pairs.at(text, start + OPEN.length, quote);
    if (pair === undefined || openings.length >= MAX_OPENINGS) return -1;
    const finder = new Finder(text.slice(start, quote + PRICE.length));
    finder.next(text, start);
    openings.push(finder);
    openingPairs.push(pair);
    finders.push(finder);
    return openings.length - 1;
  };

  return (text, start, end, fresh) => {
    if (fresh) { for (const f of finders) f.reset(); }
    const k = opening(text, start, end);
    if (k < 0) return undefined;
    const price = numbers.read(text, start + (openings[k] as Finder).length, end);
    let i = numbers.end;
    if (!(price > 0) || !qtyKey.at(text, i)) return undefined;
    const qty = numbers.read(text, i + qtyKey.length, end);
    i = numbers.end;
    if (!(qty > 0)) return undefined;

    let side: "buy" | "sell";
    if (buy.at(text, i)) side = "buy", i += buy.length;
    else if (sell.at(text, i)) side = "sell", i += sell.length;
    else return undefined;
    const ts = numbers.read(text, i, end);
    i = numbers.end;
    // Smaller numbers are read as epoch seconds, and fractions floored, by the general parser.
    if (!(ts >= 1e11 && Number.isSafeInteger(ts))) return undefined;

    const trade: Trade = { pair: openingPairs[k] as string, price, qty, side, ts };
    if (tradeIdKey.at(text, i)) {
      const id = numbers.read(text, i + tradeIdKey.length, end);
      i = numbers.end;
      if (!Number.isSafeInteger(id)) return undefined;
      trade.trade_id = id;
    }
    if (i === end - 1) return text.charCodeAt(i) === 125 ? trade : undefined;
    if (i + limit.length === end && limit.at(text, i)) trade.ord_type = "limit";
    else if (i + market.length === end && market.at(text, i)) trade.ord_type = "market";
    else return undefined;
    return trade;
  };
}
