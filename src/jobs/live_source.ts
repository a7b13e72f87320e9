/** Live Kraken trades for a job: the WebSocket, caught up through REST from each pair's cursor. */
import { KrakenRest } from "../sources/kraken/rest_client.ts";
import { type LiveStats, liveTrades } from "../sources/kraken/live_trades.ts";
import type { Cursor } from "../sources/kraken/rest_trades.ts";
import type { Trade } from "../domain/trade.ts";
import { logger } from "../util/log.ts";

export interface KrakenSourceConfig {
  pairs: readonly string[];
  wsUrl: string;
  restUrl: string;
  /** REST requests per second. */
  restRate: number;
  wsTimeoutMs: number;
}

/** The trades of `cfg.pairs` from `cursors` on, the live source's counters, and its REST client. */
export function krakenTrades(
  cfg: KrakenSourceConfig,
  cursors: ReadonlyMap<string, Cursor>,
  signal: AbortSignal,
): { stream: ReadableStream<Trade>; stats: LiveStats; rest: KrakenRest } {
  const rest = new KrakenRest({ baseUrl: cfg.restUrl, rate: cfg.restRate, log: logger("kraken-rest") });
  const { stream, stats } = liveTrades({
    pairs: cfg.pairs,
    rest,
    wsUrl: cfg.wsUrl,
    cursors,
    idleTimeoutMs: cfg.wsTimeoutMs,
    signal,
    log: logger("kraken-ws"),
  });
  return { stream, stats, rest };
}
