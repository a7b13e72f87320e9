import { assertEquals } from "../assert.ts";
import { catchUpStatus } from "../../src/system/catch_up.ts";
import { emptyLiveStats, KRAKEN_WS_URL, type LiveStats } from "../../src/sources/kraken/live_trades.ts";

const stats = (lastError?: string): LiveStats => ({ ...emptyLiveStats(), lastError });

Deno.test("catch-up status with Kraken unreachable says what runs offline; another exchange's does not", () => {
  const at = { from: 0, cursor: 0, now: 1000 };
  const dns =
    "cannot connect to wss://ws.kraken.com/v2: NetworkError: failed to connect to WebSocket: dns error";
  assertEquals(
    catchUpStatus({ live: stats(dns), restError: undefined, wsUrl: KRAKEN_WS_URL }, at).detail,
    `WebSocket unreachable: ${dns}; retrying with backoff (no internet? \`deno task demo\` runs the same system offline)`,
  );
  assertEquals(
    catchUpStatus({ live: stats("refused"), restError: undefined, wsUrl: "ws://127.0.0.1:8787/v2" }, at)
      .detail,
    "WebSocket unreachable: refused; retrying with backoff",
  );
});
