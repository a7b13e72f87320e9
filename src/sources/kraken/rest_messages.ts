/**
 * Kraken REST public responses, parsed into domain values. Pure. Kraken reports most failures as
 * HTTP 200 with a non-empty `error` array; those become {@linkcode KrakenApiError}s.
 */
import { type Trade, validateTrade } from "../../domain/trade.ts";
import { epochSecondsToMs } from "../../domain/time.ts";

/** An error Kraken returned in its `error` array. `retryable` is true for rate limits and outages. */
export class KrakenApiError extends Error {
  override name = "KrakenApiError";
  constructor(message: string, readonly retryable: boolean, options?: ErrorOptions) {
    super(message, options);
  }
}

const RETRYABLE =
  /^(EGeneral:Too many requests|EAPI:Rate limit exceeded|EService:(Unavailable|Busy|Deadline elapsed|Market in cancel_only mode))/;

/** Throws a {@linkcode KrakenApiError} if the envelope carries errors; returns its `result`. */
export function resultOf(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null) {
    throw new KrakenApiError("response is not a JSON object", false);
  }
  const { error, result } = body as { error?: unknown; result?: unknown };
  if (Array.isArray(error) && error.length > 0) {
    const text = error.map(String).join("; ");
    throw new KrakenApiError(text, error.every((e) => RETRYABLE.test(String(e))));
  }
  if (typeof result !== "object" || result === null) {
    throw new KrakenApiError("response has no result", false);
  }
  return result as Record<string, unknown>;
}

export interface TradesPage {
  trades: Trade[];
  /** The cursor for the next page (ns since epoch, as a decimal string); absent when Kraken omits it. */
  last: string | undefined;
}

/**
 * Parses a `GET /0/public/Trades` body. The result key is Kraken's own name for the pair
 * (`XXBTZUSD` for a request of `XBTUSD`), so the one key that is not `last` is taken and the
 * trades are labelled with the pair that was asked for.
 *
 * @example
 * ```ts
 * parseTradesPage({ error: [], result: { XXBTZUSD: [["30243.4", "0.3", 1688669597.8277369, "b", "m", "", 61044952]], last: "1688671969993150842" } }, "BTC/USD");
 * ```
 */
export function parseTradesPage(body: unknown, pair: string): TradesPage {
  const result = resultOf(body);
  const key = Object.keys(result).find((k) => k !== "last");
  const rows = key === undefined ? [] : result[key];
  if (!Array.isArray(rows)) throw new KrakenApiError(`result.${key} is not an array`, false);
  const trades = rows.map((row, i) => {
    try {
      return tradeFromRest(row, pair);
    } catch (cause) {
      throw new KrakenApiError(`trade ${i} of the page: ${(cause as Error).message}`, false, { cause });
    }
  });
  const last = result.last;
  return { trades, last: typeof last === "string" || typeof last === "number" ? String(last) : undefined };
}

/** `[price, volume, time, "b"|"s", "m"|"l", misc, trade_id]` → Trade. */
export function tradeFromRest(row: unknown, pair: string): Trade {
  if (!Array.isArray(row) || row.length < 4) throw new TypeError("row is not a trade array");
  const [price, qty, time, side, ordType, , tradeId] = row as unknown[];
  if (typeof time !== "number") throw new TypeError(`time ${JSON.stringify(time)} is not a number`);
  return validateTrade({
    pair,
    price: Number(price),
    qty: Number(qty),
    side: side === "b" ? "buy" : side === "s" ? "sell" : side,
    ts: epochSecondsToMs(time),
    trade_id: tradeId,
    ord_type: ordType === "m" ? "market" : ordType === "l" ? "limit" : undefined,
  });
}

/** `GET /0/public/Time` → the exchange's clock in epoch ms. */
export function parseServerTime(body: unknown): number {
  const result = resultOf(body);
  if (typeof result.unixtime !== "number") throw new KrakenApiError("Time result has no unixtime", false);
  return result.unixtime * 1000;
}
