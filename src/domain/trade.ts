/** A public trade as the system sees it, whatever exchange feed or file it came from. */
export interface Trade {
  /** `BASE/QUOTE` with common tickers, e.g. `BTC/USD`. */
  pair: string;
  price: number;
  qty: number;
  /** The taker's side. */
  side: "buy" | "sell";
  /** Event time from the exchange, epoch ms. */
  ts: number;
  /** The exchange's trade id, sequential per book, when known. */
  trade_id?: number;
  /** The taker's order type, when known. */
  ord_type?: "market" | "limit";
}

/** Raised for a value that does not describe a valid trade; the message names the field. */
export class InvalidTradeError extends TypeError {
  override name = "InvalidTradeError";
}

function positive(value: unknown, field: string): number {
  if (typeof value !== "number" || !(value > 0) || value === Infinity) {
    throw new InvalidTradeError(`${field} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Checks a trade's fields and returns it typed; throws {@linkcode InvalidTradeError} naming the
 * first bad field. The pair must already be normalised.
 *
 * @example
 * ```ts
 * validateTrade({ pair: "BTC/USD", price: 1, qty: 2, side: "buy", ts: 0 });
 * ```
 */
export function validateTrade(t: Record<string, unknown>): Trade {
  const pair = t.pair;
  if (typeof pair !== "string" || !/^[A-Z0-9]{2,10}\/[A-Z0-9]{2,10}$/.test(pair)) {
    throw new InvalidTradeError(`pair must look like BTC/USD, got ${JSON.stringify(pair)}`);
  }
  const price = positive(t.price, "price");
  const qty = positive(t.qty, "qty");
  const side = t.side;
  if (side !== "buy" && side !== "sell") {
    throw new InvalidTradeError(`side must be buy or sell, got ${JSON.stringify(side)}`);
  }
  const ts = t.ts;
  if (typeof ts !== "number" || !Number.isSafeInteger(ts) || ts < 0) {
    throw new InvalidTradeError(`ts must be epoch ms, got ${JSON.stringify(ts)}`);
  }
  const trade: Trade = { pair, price, qty, side, ts };
  if (t.trade_id !== undefined && t.trade_id !== null) {
    if (typeof t.trade_id !== "number" || !Number.isSafeInteger(t.trade_id) || t.trade_id < 0) {
      throw new InvalidTradeError(
        `trade_id must be a non-negative integer, got ${JSON.stringify(t.trade_id)}`,
      );
    }
    trade.trade_id = t.trade_id;
  }
  if (t.ord_type !== undefined && t.ord_type !== null) {
    if (t.ord_type !== "market" && t.ord_type !== "limit") {
      throw new InvalidTradeError(`ord_type must be market or limit, got ${JSON.stringify(t.ord_type)}`);
    }
    trade.ord_type = t.ord_type;
  }
  return trade;
}

/** The trade as one line of the project's JSONL trade format (no trailing newline). */
export function tradeToJsonLine(t: Trade): string {
  return JSON.stringify(t);
}
