/** What `start` and `demo` say while the live source catches up: how far the REST history is, or why it waits. */
import { isoTime } from "../domain/time.ts";
import { KRAKEN_WS_URL, type LiveStats } from "../sources/kraken/live_trades.ts";

/**
 * The catch-up's progress, from where it started (`from`) to `now`, with the slowest pair at
 * `cursor` (epoch ms each), and the status line's words.
 */
export function catchUpStatus(
  s: { live: LiveStats; restError: string | undefined; wsUrl: string },
  at: { from: number; cursor: number; now: number },
): { fraction: number; detail: string } {
  const fraction = (at.cursor - at.from) / Math.max(1, at.now - at.from);
  const unreachable = s.restError !== undefined
    ? `REST unreachable: ${s.restError}`
    : s.live.lastError !== undefined
    ? `WebSocket unreachable: ${s.live.lastError}`
    : undefined;
  // Offline, Kraken stays unreachable for good: the first thing a user without internet sees
  // should say what runs without it.
  const offline = s.wsUrl === KRAKEN_WS_URL
    ? " (no internet? `deno task demo` runs the same system offline)"
    : "";
  const detail = unreachable !== undefined
    ? `${unreachable}; retrying with backoff${offline}`
    : s.live.connections === 0
    ? `connecting to ${s.wsUrl} (retrying with backoff; the log says why)`
    : `loading history through REST, at ${isoTime(at.cursor)} (${s.live.restTrades} trades)`;
  return { fraction, detail };
}
