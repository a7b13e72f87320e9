/**
 * Kraken REST trade history of several pairs, one after another, each from its cursor up to `to`
 * (or the head of the exchange's history). With `to` still in the exchange's future, a pair waits
 * at the head for more trades until the exchange's clock passes `to`.
 */
import type { Trade } from "../../domain/trade.ts";
import { isoTime } from "../../domain/time.ts";
import { sleep } from "../../util/abortable.ts";
import { type Logger, silent } from "../../util/log.ts";
import type { KrakenRest } from "./rest_client.ts";
import { type Cursor, tradesAfter } from "./rest_trades.ts";

export interface RestHistoryOptions {
  pairs: readonly string[];
  /** Where each pair starts; advanced in place as trades are handed on. */
  cursors: ReadonlyMap<string, Cursor>;
  /** End of the history, exclusive, epoch ms. @default the exchange's latest trade */
  to?: number | undefined;
  signal?: AbortSignal | undefined;
  log?: Logger | undefined;
  /**
   * Progress after each page, and as a `milestone` at the end of each pair and while waiting at the
   * head. `end` is `to`, or the exchange's time when the history started.
   */
  onPage?: (p: { pair: string; index: number; cursor: Cursor; end: number; milestone: boolean }) => void;
}

/**
 * The trades of every pair after its cursor, pair by pair, as a stream.
 *
 * @example
 * ```ts
 * const cursors = new Map([["BTC/USD", { ts: Date.parse("2024-01-01"), tradeId: null }]]);
 * const trades = restHistory(new KrakenRest(), { pairs: ["BTC/USD"], cursors, to: Date.parse("2024-01-02") });
 * ```
 */
export function restHistory(rest: KrakenRest, options: RestHistoryOptions): ReadableStream<Trade> {
  return ReadableStream.from(history(rest, options));
}

async function* history(rest: KrakenRest, options: RestHistoryOptions): AsyncGenerator<Trade> {
  const { to, signal } = options;
  const log = options.log ?? silent;
  const end = to ?? await rest.serverTime(signal);
  for (const [index, pair] of options.pairs.entries()) {
    const cursor = options.cursors.get(pair);
    if (cursor === undefined) throw new RangeError(`restHistory: no cursor for ${pair}`);
    const show = (milestone: boolean) => options.onPage?.({ pair, index, cursor, end, milestone });
    for (;;) {
      const why = yield* tradesAfter(rest, pair, cursor, { to, signal, onPage: () => show(false) });
      if (why !== "head" || to === undefined) break;
      const now = await rest.serverTime(signal);
      if (now >= to) break;
      show(true);
      log.info(`${pair}: the exchange is at ${isoTime(now)}, before --to; waiting for more trades`);
      await sleep(Math.min(10_000, Math.max(1000, to - now)), signal);
    }
    show(true);
  }
}
