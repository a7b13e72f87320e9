/** The WS v2 frames the simulator sends, written as Kraken writes them. Pure. */
import type { BookTrade } from "./book.ts";

/** `2019-07-01T00:00:05.224000Z`: Kraken's microsecond RFC 3339. */
export function wsTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "000Z");
}

export function tradeFrame(trades: readonly BookTrade[], type: "update" | "snapshot"): string {
  const data = trades.map((t) => ({
    symbol: t.pair,
    side: t.side,
    price: t.price,
    qty: t.qty,
    ...(t.ord_type ? { ord_type: t.ord_type } : {}),
    trade_id: t.trade_id,
    timestamp: wsTimestamp(t.ts),
  }));
  return JSON.stringify({ channel: "trade", type, data });
}

/** A status frame; the connection id is written as Kraken does, an integer above 2^53. */
export function statusFrame(connectionId: bigint): string {
  return `{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":${connectionId},"system":"online","version":"2.0.10"}]}`;
}

export const HEARTBEAT = '{"channel":"heartbeat"}';

export function ackFrame(
  method: string,
  result: Record<string, unknown> | undefined,
  reqId: unknown,
  timeIn: string,
  error?: string,
  symbol?: string,
): string {
  const body: Record<string, unknown> = error === undefined
    ? { method, result, success: true }
    : { error, method, success: false, ...(symbol ? { symbol } : {}) };
  body.time_in = timeIn;
  body.time_out = new Date().toISOString();
  if (typeof reqId === "number") body.req_id = reqId;
  return JSON.stringify(body);
}

/** Kinds of broken frame, cycled through so every kind is exercised. */
export function garbageFrame(n: number, realFrame: string): string {
  switch (n % 4) {
    case 0:
      return "this is not json {";
    case 1:
      return realFrame.slice(0, Math.max(1, Math.floor(realFrame.length / 2)));
    case 2:
      return realFrame.replace(/"price":[^,]+/, '"price":"NaN"');
    default:
      return realFrame.replace(/"trade_id":\d+,?/, "");
  }
}
