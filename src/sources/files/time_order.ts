/**
 * Whether a trade file runs newest-first. Candles are built oldest first, and a trade older than a
 * window closed more than `--grace` ago is dropped as late, so such a file would load as a few rows
 * and thousands of dropped trades. Its first trades give it away: in time order nearly every step
 * between a pair's consecutive trades of different times goes forward; newest-first, back.
 */
import type { Trade } from "../../domain/trade.ts";

/** Steps between a pair's consecutive trades of different times: how many go forward and back. */
export function timeSteps(trades: readonly Pick<Trade, "pair" | "ts">[]): { forward: number; back: number } {
  const last = new Map<string, number>();
  let forward = 0, back = 0;
  for (const t of trades) {
    const before = last.get(t.pair);
    if (before !== undefined && t.ts > before) forward++;
    if (before !== undefined && t.ts < before) back++;
    last.set(t.pair, t.ts);
  }
  return { forward, back };
}

/**
 * True when the first trades of a file (`trades`, a thousand or so) run back in time: at least ten
 * steps back, and nine in ten of all steps. Live recordings have a few steps back, within the grace.
 *
 * @example
 * ```ts
 * runsNewestFirst([{ pair: "BTC/USD", ts: 3 }, { pair: "BTC/USD", ts: 2 }]); // false: too few to tell
 * ```
 */
export function runsNewestFirst(trades: readonly Pick<Trade, "pair" | "ts">[]): boolean {
  const { forward, back } = timeSteps(trades);
  return back >= 10 && back >= 0.9 * (forward + back);
}
