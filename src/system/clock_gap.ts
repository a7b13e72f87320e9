/**
 * `start` runs on this machine's clock: its cold start loads the history before it, features age
 * against it, and only candles that close after the source went live, on it, are predicted. An
 * exchange whose trades run on another clock (the simulator replaying a file from the past) leaves
 * every candle stale and none predicted, while the status line reads as if all were well. This
 * names the gap once the source is live.
 */
import { isoTime } from "../domain/time.ts";

/**
 * A warning when the newest trade, with the source live, is older than the history a cold start
 * loads (`historyMs`, a day by default): no live exchange is that quiet on every pair it follows.
 *
 * @example
 * ```ts
 * clockGapWarning(Date.UTC(2019, 6, 1), Date.UTC(2026, 11, 2), 86_400_000); // "the exchange's newest trade ..."
 * ```
 */
export function clockGapWarning(
  newestTradeMs: number | undefined,
  nowMs: number,
  historyMs: number,
): string | undefined {
  if (newestTradeMs === undefined || nowMs - newestTradeMs <= historyMs) return undefined;
  const days = ((nowMs - newestTradeMs) / 86_400_000).toFixed(1);
  return `the exchange's newest trade (${
    isoTime(newestTradeMs)
  }) is ${days} days behind this machine's clock ` +
    `(${isoTime(nowMs)}), and start runs on this clock: its features are stale to it and no candle of this ` +
    "market closes after it went live, so none is predicted; to run the system on a replayed market's own " +
    "clock use deno task demo (or deno task ingest --from)";
}
