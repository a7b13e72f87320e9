/**
 * Trade file formats, as pure line parsers. Each turns one line into a Trade (or nothing, for a
 * header) and throws a `TypeError` naming the problem for a bad line.
 *
 * - `kraken-trades`: Kraken's downloadable history, `unix_time,price,volume`, no header. It has no
 *   side, so the side is inferred with the tick rule (up-tick → buy, down-tick → sell, unchanged →
 *   as before), the standard choice for unsigned trades; its `pair` comes from `--pairs`.
 * - `trades-csv`: a header row, columns found by name (`ts`|`timestamp`|`time_ms`|`ts_event`|`time`,
 *   `pair`|`symbol`, `price`, `qty`|`volume`|`amount`, `side`, optional `trade_id`, `ord_type`).
 * - `trades-jsonl`: one JSON object per line with the same names; the project's own format.
 */
import { type Trade, validateTrade } from "../../domain/trade.ts";
import { normalisePair } from "../../domain/pair.ts";
import { rfc3339ToMs } from "../../domain/time.ts";
import { splitCsv } from "./csv.ts";
import { fastCsvTrade, fastKrakenTrade, TickRule, type TradeColumns } from "./fast_csv_trades.ts";
import { fastJsonlTrade } from "./fast_jsonl_trades.ts";
import type { FastLineParser, RecordParser } from "./parsed_file.ts";

export const TRADE_FORMATS = ["kraken-trades", "trades-csv", "trades-jsonl"] as const;
export type TradeFormat = typeof TRADE_FORMATS[number];

/** A stateful line parser; `null` for a line that carries no trade (the header). */
export type LineParser = (line: string) => Trade | null;

/** Reads a time cell: ISO 8601, epoch ms, or epoch seconds with a fraction (Kraken style). */
export function timeCell(value: unknown): number {
  if (typeof value === "number") return value < 1e11 ? Math.floor(value * 1000) : Math.floor(value);
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError(`time ${JSON.stringify(value)} is missing`);
  }
  if (/^\d+(\.\d+)?$/.test(value)) {
    const n = Number(value);
    return value.includes(".") || n < 1e11 ? Math.floor(n * 1000 + 1e-6) : n;
  }
  const fast = rfc3339ToMs(value);
  if (!Number.isNaN(fast)) return fast;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(zoned.replace(" ", "T"));
  if (Number.isNaN(ms)) throw new TypeError(`time ${JSON.stringify(value)} is not ISO 8601 or epoch`);
  return ms;
}

function numberCell(value: unknown, field: string): number {
  const n = typeof value === "number"
    ? value
    : typeof value === "string" && value !== ""
    ? Number(value)
    : NaN;
  if (Number.isNaN(n)) throw new TypeError(`${field} ${JSON.stringify(value)} is not a number`);
  return n;
}

function sideCell(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const v = value.toLowerCase();
  return v === "b" ? "buy" : v === "s" ? "sell" : v;
}

function pairCell(value: unknown): string {
  const pair = typeof value === "string" ? normalisePair(value) : null;
  if (pair === null) throw new TypeError(`pair ${JSON.stringify(value)} is not a pair like BTC/USD`);
  return pair;
}

const NAMES = {
  ts: ["ts", "time_ms", "timestamp", "ts_event", "time", "unix_time"],
  pair: ["pair", "symbol"],
  price: ["price"],
  qty: ["qty", "volume", "amount", "size"],
  side: ["side"],
  trade_id: ["trade_id", "id"],
  ord_type: ["ord_type"],
} as const;

function pick(row: Record<string, unknown>, names: readonly string[]): unknown {
  for (const n of names) if (row[n] !== undefined && row[n] !== "") return row[n];
  return undefined;
}

/** Maps a row keyed by column name to a Trade. */
export function tradeFromRow(row: Record<string, unknown>, defaultPair?: string): Trade {
  const rawPair = pick(row, NAMES.pair);
  const tradeId = pick(row, NAMES.trade_id);
  return validateTrade({
    pair: rawPair === undefined && defaultPair ? defaultPair : pairCell(rawPair),
    price: numberCell(pick(row, NAMES.price), "price"),
    qty: numberCell(pick(row, NAMES.qty), "qty"),
    side: sideCell(pick(row, NAMES.side)),
    ts: timeCell(pick(row, NAMES.ts)),
    trade_id: tradeId === undefined ? undefined : numberCell(tradeId, "trade_id"),
    ord_type: pick(row, NAMES.ord_type),
  });
}

/** A parser for `format`. `pair` names the pair for files that do not (kraken-trades). */
export function lineParser(format: TradeFormat, pair?: string): LineParser {
  return tradeParser(format, pair).parse;
}

/**
 * The parser for `format` with its fast path: lines in the plainest spelling of the format are
 * read in place, the rest by the general parser, to the same trades and the same errors.
 */
export function tradeParser(format: TradeFormat, pair?: string): RecordParser<Trade> {
  switch (format) {
    case "trades-jsonl":
      return {
        parse: (line) => {
          let row: unknown;
          try {
            row = JSON.parse(line);
          } catch {
            throw new TypeError("line is not JSON");
          }
          if (typeof row !== "object" || row === null || Array.isArray(row)) {
            throw new TypeError("line is not a JSON object");
          }
          return tradeFromRow(row as Record<string, unknown>, pair);
        },
        // A default pair stands in only where a line names none, which the fast path never reads.
        fast: fastJsonlTrade(),
      };
    case "trades-csv": {
      let header: string[] | undefined;
      let fast: FastLineParser<Trade> | undefined;
      return {
        parse: (line) => {
          const cells = splitCsv(line);
          if (header === undefined) {
            header = cells.map((c) => c.trim().toLowerCase());
            for (const need of ["ts", "price", "qty"] as const) {
              if (!NAMES[need].some((n) => header?.includes(n))) {
                throw new TypeError(`header has no ${need} column (one of ${NAMES[need].join(", ")})`);
              }
            }
            fast = fastCsvTrade(columnsOf(header), header.length, pair);
            return null;
          }
          if (cells.length !== header.length) {
            throw new TypeError(`${cells.length} columns where the header has ${header.length}`);
          }
          const row: Record<string, string> = {};
          for (let i = 0; i < header.length; i++) row[header[i] as string] = (cells[i] as string).trim();
          return tradeFromRow(row, pair);
        },
        fast: (text, start, end, fresh) => fast?.(text, start, end, fresh),
      };
    }
    case "kraken-trades": {
      if (!pair) throw new RangeError("kraken-trades files name no pair: give exactly one with --pairs");
      const tick = new TickRule();
      return {
        parse: (line) => {
          const cells = line.split(",");
          if (cells.length !== 3) {
            throw new TypeError(`expected unix_time,price,volume, got ${cells.length} columns`);
          }
          const price = numberCell(cells[1], "price");
          const side = tick.next(price);
          return validateTrade({
            pair,
            price,
            qty: numberCell(cells[2], "volume"),
            side,
            ts: timeCell(cells[0]),
          });
        },
        fast: fastKrakenTrade(pair, tick),
      };
    }
  }
}

/** Where a header puts each field: per field, the columns of its names in the order `pick` tries them. */
function columnsOf(header: readonly string[]): TradeColumns {
  const columns = (names: readonly string[]) => names.map((n) => header.lastIndexOf(n)).filter((i) => i >= 0);
  return {
    ts: columns(NAMES.ts),
    pair: columns(NAMES.pair),
    price: columns(NAMES.price),
    qty: columns(NAMES.qty),
    side: columns(NAMES.side),
    trade_id: columns(NAMES.trade_id),
    ord_type: columns(NAMES.ord_type),
  };
}

/**
 * Guesses a file's format from its name and first line; `null` when it is neither a trade nor a
 * candle file.
 */
export function detectFormat(
  path: string,
  firstLine: string,
): TradeFormat | "kraken-ohlcvt" | "kraken-ohlc" | null {
  const line = firstLine.trim();
  if (line.startsWith("{")) return "trades-jsonl";
  if (/\.jsonl(\.gz)?$/.test(path)) return "trades-jsonl";
  const cells = line.split(",");
  if (cells.every((c) => /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(c.trim()))) {
    if (cells.length === 3) return "kraken-trades";
    if (cells.length === 7) return "kraken-ohlcvt";
    return null;
  }
  const header = cells.map((c) => c.trim().toLowerCase().replace(/^"|"$/g, ""));
  if (header.includes("price") && NAMES.ts.some((n) => header.includes(n))) return "trades-csv";
  if (["time", "open", "high", "low", "close", "vwap", "volume", "count"].every((n) => header.includes(n))) {
    return "kraken-ohlc";
  }
  return null;
}

/**
 * The format a file's first lines show when it is not `format`, or null when they may be
 * `format`'s. Only the content counts, not the name; a header over the rows of a headerless
 * format is that format with one bad line.
 *
 * @example
 * ```ts
 * otherFormat("kraken-trades", ["ts,pair,price,qty,side", "1561939203172,BTC/USD,1,1,buy"]); // "trades-csv"
 * otherFormat("kraken-trades", ["unix_time,price,volume", "1561939203.172,10749.4,0.004"]); // null
 * ```
 */
export function otherFormat(
  format: TradeFormat | "kraken-ohlcvt" | "kraken-ohlc",
  lines: readonly string[],
): TradeFormat | "kraken-ohlcvt" | "kraken-ohlc" | null {
  const [first, second] = lines;
  if (first === undefined) return null;
  const found = detectFormat("", first);
  if (found === null || found === format) return null;
  const headerless = format === "kraken-trades" || format === "kraken-ohlcvt";
  if (headerless && second !== undefined && detectFormat("", second) === format) return null;
  return found;
}
