/**
 * Paging through Kraken REST trade history from a cursor. Pages overlap (the `since` boundary is
 * returned again), so trades are deduplicated by trade_id against the cursor, which this module
 * advances as it yields.
 */
import type { Trade } from "../../domain/trade.ts";
import { type KrakenRest, PAGE_SIZE } from "./rest_client.ts";

/** Where a pair's stream stands: the last trade handed on (or, before any, the start time). */
export interface Cursor {
  /** Event time of the last trade handed on, or the time to start from; epoch ms. */
  ts: number;
  /** trade_id of the last trade handed on; `null` before the first. */
  tradeId: number | null;
}

/** Why paging stopped. */
export type PagingEnd = "to" | "until" | "head";

export interface PagingOptions {
  /** Stop before the first trade at or after this time (epoch ms). */
  to?: number | undefined;
  /** Stop once this trade_id has been handed on. */
  untilId?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called after each page, for progress reports. */
  onPage?: (info: { trades: number; fresh: number; cursor: Cursor }) => void;
}

/** Nanoseconds since epoch as Kraken's `since` takes them. */
export function msToNs(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n).toString();
}

/** True when `trade` comes after `cursor` (by id when known, else by time). */
export function isAfter(trade: Trade, cursor: Cursor): boolean {
  if (cursor.tradeId !== null && trade.trade_id !== undefined) return trade.trade_id > cursor.tradeId;
  return trade.ts >= cursor.ts;
}

/**
 * Yields every trade of `pair` after `cursor`, page by page, advancing `cursor` in place; returns
 * why it stopped: `to` reached, `untilId` reached, or the head of the exchange's history.
 *
 * @example
 * ```ts
 * const cursor = { ts: Date.parse("2019-07-01T00:00:00Z"), tradeId: null };
 * for await (const trade of tradesAfter(rest, "BTC/USD", cursor, { to: cursor.ts + 3_600_000 })) {
 *   console.log(trade.trade_id);
 * }
 * ```
 */
export async function* tradesAfter(
  rest: KrakenRest,
  pair: string,
  cursor: Cursor,
  options: PagingOptions = {},
): AsyncGenerator<Trade, PagingEnd> {
  const { to, untilId, signal } = options;
  let since = msToNs(cursor.ts);
  for (;;) {
    signal?.throwIfAborted();
    const page = await rest.trades(pair, since, signal);
    let fresh = 0;
    for (const trade of page.trades) {
      if (trade.trade_id === undefined) {
        throw new Error(`Kraken REST sent a ${pair} trade without trade_id; cannot deduplicate`);
      }
      if (to !== undefined && trade.ts >= to) {
        options.onPage?.({ trades: page.trades.length, fresh, cursor });
        return "to";
      }
      if (!isAfter(trade, cursor)) continue;
      cursor.ts = trade.ts;
      cursor.tradeId = trade.trade_id;
      fresh++;
      yield trade;
      if (untilId !== undefined && trade.trade_id >= untilId) {
        options.onPage?.({ trades: page.trades.length, fresh, cursor });
        return "until";
      }
    }
    options.onPage?.({ trades: page.trades.length, fresh, cursor });
    if (page.trades.length < PAGE_SIZE) return "head";
    const lastTrade = page.trades[page.trades.length - 1] as Trade;
    const next = page.last ?? msToNs(lastTrade.ts);
    if (BigInt(next) <= BigInt(since) && fresh === 0) {
      throw new Error(
        `Kraken REST paging for ${pair} is stuck at since=${since} (a full page with nothing new)`,
      );
    }
    since = BigInt(next) > BigInt(since) ? next : msToNs(lastTrade.ts + 1);
  }
}
