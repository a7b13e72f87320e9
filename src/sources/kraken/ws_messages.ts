/**
 * Kraken Spot WebSocket v2 frames, parsed into the few events the trade client acts on.
 * Pure: text in, event out. A frame that is not JSON, or a trade frame with any bad trade,
 * throws a {@linkcode FrameError}; the client counts it and reconciles through REST.
 */
import { type Trade, validateTrade } from "../../domain/trade.ts";
import { normalisePair } from "../../domain/pair.ts";
import { rfc3339ToMs } from "../../domain/time.ts";

export type WsEvent =
  | { kind: "trades"; snapshot: boolean; trades: Trade[] }
  | { kind: "heartbeat" }
  | { kind: "status"; system: string }
  | { kind: "subscribed"; channel: string; symbol: string; reqId: number | undefined }
  | { kind: "subscribe_failed"; error: string; symbol: string | undefined; reqId: number | undefined }
  | { kind: "pong"; reqId: number | undefined }
  | { kind: "error"; error: string; method: string | undefined }
  | { kind: "ignored"; what: string };

/** A frame that could not be read; `frame` holds (the start of) its text for the log. */
export class FrameError extends Error {
  override name = "FrameError";
  constructor(message: string, readonly frame: string, options?: ErrorOptions) {
    super(message, options);
  }
}

const pairCache = new Map<string, string | null>();

/** Symbol → normalised pair, cached: there are few symbols and one lookup per trade. */
function pairOf(symbol: unknown): string | null {
  if (typeof symbol !== "string") return null;
  let pair = pairCache.get(symbol);
  if (pair === undefined) {
    pair = normalisePair(symbol);
    if (pairCache.size < 10_000) pairCache.set(symbol, pair);
  }
  return pair;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function reqIdOf(msg: Obj): number | undefined {
  return typeof msg.req_id === "number" ? msg.req_id : undefined;
}

/** Maps one element of a trade frame's `data` to a Trade; throws on any bad field. */
export function tradeFromWs(d: unknown): Trade {
  if (!isObj(d)) throw new TypeError("trade entry is not an object");
  const pair = pairOf(d.symbol);
  if (pair === null) throw new TypeError(`symbol ${JSON.stringify(d.symbol)} is not a pair`);
  const ts = typeof d.timestamp === "string" ? rfc3339ToMs(d.timestamp) : NaN;
  if (Number.isNaN(ts)) throw new TypeError(`timestamp ${JSON.stringify(d.timestamp)} is not RFC 3339 UTC`);
  const { price, qty, side, trade_id, ord_type } = d;
  if (trade_id === undefined) throw new TypeError("trade_id is missing");
  if (typeof trade_id !== "number") {
    throw new TypeError(`trade_id ${JSON.stringify(trade_id)} is not a number`);
  }
  // The same rules as validateTrade, checked inline: this runs once per trade at feed rate, and
  // the pair is already known good. Anything off goes to validateTrade for its precise message.
  if (
    typeof price === "number" && price > 0 && price < Infinity && typeof qty === "number" && qty > 0 &&
    qty < Infinity && (side === "buy" || side === "sell") && Number.isSafeInteger(trade_id) && trade_id >= 0
  ) {
    if (ord_type === "limit" || ord_type === "market") {
      return { pair, price, qty, side, ts, trade_id, ord_type };
    }
    if (ord_type === undefined) return { pair, price, qty, side, ts, trade_id };
  }
  return validateTrade({ pair, price, qty, side, ts, trade_id, ord_type });
}

function snippet(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Parses one WS v2 frame.
 *
 * @example
 * ```ts
 * parseWsFrame('{"channel":"heartbeat"}'); // { kind: "heartbeat" }
 * ```
 */
export function parseWsFrame(text: string): WsEvent {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (cause) {
    throw new FrameError("frame is not JSON", snippet(text), { cause });
  }
  if (!isObj(msg)) throw new FrameError("frame is not a JSON object", snippet(text));
  const channel = msg.channel;
  if (channel === "trade") {
    const data = msg.data;
    if (!Array.isArray(data)) throw new FrameError("trade frame has no data array", snippet(text));
    const trades = new Array<Trade>(data.length);
    try {
      for (let i = 0; i < data.length; i++) trades[i] = tradeFromWs(data[i]);
    } catch (cause) {
      throw new FrameError(`bad trade in frame: ${(cause as Error).message}`, snippet(text), { cause });
    }
    return { kind: "trades", snapshot: msg.type === "snapshot", trades };
  }
  // Heartbeats carry nothing but the channel; match on it alone.
  if (channel === "heartbeat") return { kind: "heartbeat" };
  if (channel === "status") {
    const first = Array.isArray(msg.data) ? msg.data[0] : undefined;
    // connection_id exceeds 2^53 and arrives rounded; it is deliberately never read.
    const system = isObj(first) && typeof first.system === "string" ? first.system : "unknown";
    return { kind: "status", system };
  }
  const method = typeof msg.method === "string" ? msg.method : undefined;
  if (method === "subscribe") {
    if (msg.success === true && isObj(msg.result)) {
      return {
        kind: "subscribed",
        channel: String(msg.result.channel),
        symbol: String(msg.result.symbol),
        reqId: reqIdOf(msg),
      };
    }
    return {
      kind: "subscribe_failed",
      error: typeof msg.error === "string" ? msg.error : "subscription refused",
      symbol: typeof msg.symbol === "string" ? msg.symbol : undefined,
      reqId: reqIdOf(msg),
    };
  }
  if (method === "pong") return { kind: "pong", reqId: reqIdOf(msg) };
  if (msg.success === false) {
    return { kind: "error", error: typeof msg.error === "string" ? msg.error : "unknown error", method };
  }
  return { kind: "ignored", what: String(channel ?? method ?? "unknown") };
}

/** The subscribe request for the trade channel; `snapshot` is always sent explicitly. */
export function subscribeTradesRequest(symbols: readonly string[], reqId: number, snapshot = false): string {
  return JSON.stringify({
    method: "subscribe",
    params: { channel: "trade", symbol: symbols, snapshot },
    req_id: reqId,
  });
}

/** An application-level ping; Kraken answers with `{"method":"pong","req_id":N}`. */
export function pingRequest(reqId: number): string {
  return JSON.stringify({ method: "ping", req_id: reqId });
}
