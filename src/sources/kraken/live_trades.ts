/**
 * Live trades from Kraken WebSocket v2 with nothing lost and nothing doubled.
 *
 * On every (re)connection the client subscribes, then fills the gap since the last trade it handed
 * on from REST, then drains the live frames that queued up meanwhile. Trade ids are sequential per
 * book, so every trade at or below a pair's last id is a duplicate, and a jump in ids is a hole
 * that is filled from REST before the live trade is handed on. A frame that cannot be read might
 * have carried trades, so it triggers a REST reconciliation of every pair.
 */
import type { Trade } from "../../domain/trade.ts";
import { isoTime } from "../../domain/time.ts";
import { backoffDelay, type BackoffOptions } from "../backoff.ts";
import { isAbort, sleep } from "../../util/abortable.ts";
import { type Logger, silent } from "../../util/log.ts";
import type { KrakenRest } from "./rest_client.ts";
import { type Cursor, type PagingEnd, tradesAfter } from "./rest_trades.ts";
import { WsConnection } from "./ws_connection.ts";
import { FrameError, parseWsFrame, subscribeTradesRequest } from "./ws_messages.ts";

export const KRAKEN_WS_URL = "wss://ws.kraken.com/v2";

/** Kraken refused the subscription (e.g. an unknown pair): retrying will not help. */
export class SubscriptionError extends Error {
  override name = "SubscriptionError";
}

export interface LiveStats {
  connections: number;
  trades: number;
  restTrades: number;
  duplicates: number;
  gaps: number;
  missing: number;
  malformed: number;
  heartbeats: number;
  lastDisconnect: string | undefined;
  /** Why the latest connection attempt or session failed, until a connection is made again. */
  lastError: string | undefined;
  /** Connected, subscribed and caught up with REST: trades arriving now are current. */
  live: boolean;
}

export interface LiveTradesOptions {
  pairs: readonly string[];
  rest: KrakenRest;
  /** @default "wss://ws.kraken.com/v2" */
  wsUrl?: string;
  /**
   * Where each pair starts (the checkpoint, or `--from`). A pair without one starts at the
   * exchange's latest trade, which is not itself handed on.
   */
  cursors?: ReadonlyMap<string, Cursor>;
  /** @default 10000 */
  idleTimeoutMs?: number;
  /** @default { baseMs: 500, maxMs: 30000 } */
  reconnect?: BackoffOptions;
  /** Wait for the subscription acks this long before reconnecting, ms. @default 10000 */
  subscribeTimeoutMs?: number;
  /** How often to re-ask REST for a hole it does not show yet. @default 3 */
  gapRetries?: number;
  signal?: AbortSignal | undefined;
  log?: Logger | undefined;
}

/**
 * A never-ending stream of live trades for `pairs`, in trade_id order per pair.
 * It ends when `signal` aborts; it errors only on {@linkcode SubscriptionError}.
 *
 * @example
 * ```ts
 * const rest = new KrakenRest();
 * for await (const t of liveTrades({ pairs: ["BTC/USD"], rest }).stream) console.log(t);
 * ```
 */
export function liveTrades(options: LiveTradesOptions): { stream: ReadableStream<Trade>; stats: LiveStats } {
  const stats = emptyLiveStats();
  return { stream: ReadableStream.from(run(options, stats)), stats };
}

/** The counts of a source that has not connected yet. */
export function emptyLiveStats(): LiveStats {
  return {
    connections: 0,
    trades: 0,
    restTrades: 0,
    duplicates: 0,
    gaps: 0,
    missing: 0,
    malformed: 0,
    heartbeats: 0,
    lastDisconnect: undefined,
    lastError: undefined,
    live: false,
  };
}

async function* run(options: LiveTradesOptions, stats: LiveStats): AsyncGenerator<Trade> {
  const { pairs, rest, signal } = options;
  const log = options.log ?? silent;
  const wsUrl = options.wsUrl ?? KRAKEN_WS_URL;
  const cursors = new Map<string, Cursor>();
  for (const [pair, c] of options.cursors ?? []) cursors.set(pair, { ...c });

  try {
    for (const pair of pairs) {
      if (cursors.has(pair)) continue;
      const latest = (await rest.trades(pair, undefined, signal)).trades.at(-1);
      const cursor = latest
        ? { ts: latest.ts, tradeId: latest.trade_id ?? null }
        : { ts: await rest.serverTime(signal), tradeId: null };
      cursors.set(pair, cursor);
      log.info(
        `${pair}: no checkpoint, starting after trade ${cursor.tradeId ?? "-"} (${isoTime(cursor.ts)})`,
      );
    }
  } catch (e) {
    if (signal?.aborted) return;
    throw e;
  }

  // Trades from REST pass through here too, so every path shares the duplicate check.
  function* accept(trade: Trade, cursor: Cursor): Generator<Trade> {
    cursor.ts = trade.ts;
    cursor.tradeId = trade.trade_id ?? cursor.tradeId;
    stats.trades++;
    yield trade;
  }

  async function* fill(pair: string, untilId?: number): AsyncGenerator<Trade> {
    stats.live = false;
    const cursor = cursors.get(pair) as Cursor;
    const retries = untilId === undefined ? 0 : options.gapRetries ?? 3;
    for (let attempt = 0;; attempt++) {
      const probe: Cursor = { ...cursor };
      const end: PagingEnd = yield* counted(tradesAfter(rest, pair, probe, { untilId, signal }));
      if (untilId === undefined || end === "until" || (cursor.tradeId ?? -1) >= untilId) return;
      if (attempt >= retries) {
        const lost = untilId - (cursor.tradeId ?? untilId);
        stats.missing += lost;
        log.warn(
          `${pair}: REST does not have trades ${(cursor.tradeId ?? 0) + 1}..${untilId}; ${lost} missing`,
        );
        return;
      }
      await sleep(300 * (attempt + 1), signal);
    }

    async function* counted(it: AsyncGenerator<Trade, PagingEnd>): AsyncGenerator<Trade, PagingEnd> {
      for (;;) {
        const r = await it.next();
        if (r.done) return r.value;
        stats.restTrades++;
        yield* accept(r.value, cursor);
      }
    }
  }

  async function* fillAll(): AsyncGenerator<Trade> {
    for (const pair of pairs) yield* fill(pair);
    stats.live = true;
  }

  for (let attempt = 0; !signal?.aborted; attempt++) {
    let conn: WsConnection | undefined;
    try {
      conn = await WsConnection.open(wsUrl, { idleTimeoutMs: options.idleTimeoutMs ?? 10_000, signal });
      const early = await subscribe(conn, pairs, options.subscribeTimeoutMs ?? 10_000, signal);
      stats.connections++;
      stats.lastError = undefined;
      attempt = 0;
      log.info(`connected to ${wsUrl}, subscribed to ${pairs.join(", ")}; filling from REST`);
      yield* fillAll();
      let reconcile = false;
      const frames = (async function* () {
        yield* early;
        for (;;) {
          const ev = await conn.events.next(signal);
          if (ev === undefined || ev.type === "closed") {
            stats.lastDisconnect = ev?.reason ?? "closed";
            log.warn(`disconnected: ${stats.lastDisconnect}`);
            return;
          }
          yield ev.text;
        }
      })();
      for await (const text of frames) {
        let event;
        try {
          event = parseWsFrame(text);
        } catch (e) {
          if (!(e instanceof FrameError)) throw e;
          stats.malformed++;
          reconcile = true;
          log.warn(`malformed frame (${e.message}): ${e.frame}`);
          continue;
        }
        if (event.kind === "trades") {
          for (const trade of event.trades) {
            const cursor = cursors.get(trade.pair);
            if (cursor === undefined) continue;
            const id = trade.trade_id as number;
            if (cursor.tradeId !== null && id <= cursor.tradeId) {
              stats.duplicates++;
              continue;
            }
            if (cursor.tradeId !== null && id > cursor.tradeId + 1) {
              stats.gaps++;
              log.info(`${trade.pair}: ids jump ${cursor.tradeId} → ${id}; filling the hole from REST`);
              yield* fill(trade.pair, id - 1);
              stats.live = true;
              if (cursor.tradeId !== null && id <= cursor.tradeId) {
                stats.duplicates++;
                continue;
              }
            }
            yield* accept(trade, cursor);
          }
        } else if (event.kind === "heartbeat") {
          stats.heartbeats++;
        } else if (event.kind === "status" && event.system !== "online") {
          log.warn(`exchange status: ${event.system}`);
        } else if (event.kind === "error") {
          log.warn(`exchange error for ${event.method ?? "?"}: ${event.error}`);
        }
        if (reconcile && conn.events.size === 0) {
          reconcile = false;
          log.info("reconciling every pair with REST after a malformed frame");
          yield* fillAll();
        }
      }
    } catch (e) {
      if (signal?.aborted && isAbort(e, signal)) break;
      if (e instanceof SubscriptionError) throw e;
      stats.lastError = (e as Error).message;
      log.warn(stats.lastError);
    } finally {
      stats.live = false;
      conn?.close();
    }
    if (signal?.aborted) break;
    const delay = backoffDelay(attempt, options.reconnect ?? { baseMs: 500, maxMs: 30_000 });
    log.info(`reconnecting in ${delay} ms`);
    try {
      await sleep(delay, signal);
    } catch {
      break;
    }
  }
}

/**
 * Sends the subscription and waits for one ack per pair; returns the frames that arrived
 * meanwhile (trades may come before the last ack).
 */
async function subscribe(
  conn: WsConnection,
  pairs: readonly string[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const reqId = Math.floor(Math.random() * 1e9);
  conn.send(subscribeTradesRequest(pairs, reqId, false));
  const waiting = new Set(pairs);
  const early: string[] = [];
  const deadline = AbortSignal.timeout(timeoutMs);
  const until = signal ? AbortSignal.any([signal, deadline]) : deadline;
  while (waiting.size > 0) {
    let ev;
    try {
      ev = await conn.events.next(until);
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new Error(`no subscription ack for ${[...waiting].join(", ")} within ${timeoutMs} ms`);
    }
    if (ev === undefined || ev.type === "closed") {
      throw new Error(`connection lost while subscribing: ${ev?.reason ?? "closed"}`);
    }
    let event;
    try {
      event = parseWsFrame(ev.text);
    } catch {
      early.push(ev.text);
      continue;
    }
    if (event.kind === "subscribed" && event.channel === "trade") {
      waiting.delete(event.symbol);
    } else if (event.kind === "subscribe_failed") {
      throw new SubscriptionError(
        `Kraken refused the trade subscription${event.symbol ? ` for ${event.symbol}` : ""}: ${event.error}`,
      );
    } else if (event.kind === "trades") {
      early.push(ev.text);
    }
  }
  return early;
}
