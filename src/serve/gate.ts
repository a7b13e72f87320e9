/**
 * The middleware in front of every route: it refuses an over-long URL (414) and a request beyond
 * `maxInFlight` answered at once (503 with Retry-After: however many arrive, at most that many
 * wait on the stores), and counts and times every answer into the metrics.
 */
import type { MiddlewareHandler } from "hono";
import { logEnabled, type Logger } from "../util/log.ts";
import type { Metrics } from "./metrics.ts";

export interface GateOptions {
  metrics: Metrics;
  log: Logger;
  /** Requests handled at once. @default {256} */
  maxInFlight?: number | undefined;
  /** Longest URL answered, in characters. @default {2048} */
  maxUrl?: number;
  /** Whether a path is one of the app's routes (others are counted together as "other"). */
  isRoute: (path: string) => boolean;
}

export function gate(options: GateOptions): MiddlewareHandler {
  const { metrics, log, isRoute } = options;
  const maxInFlight = options.maxInFlight ?? 256;
  const maxUrl = options.maxUrl ?? 2048;
  let inFlight = 0;
  return async function gate(c, next) {
    const started = performance.now();
    if (c.req.url.length > maxUrl) {
      c.res = c.json({ error: `the URL is longer than ${maxUrl} characters` }, 414);
    } else if (inFlight >= maxInFlight) {
      c.header("Retry-After", "1");
      c.res = c.json({ error: "busy", reason: `${maxInFlight} requests are being answered; retry` }, 503);
    } else {
      inFlight++;
      try {
        await next();
      } finally {
        inFlight--;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    metrics.request(isRoute(c.req.path) ? c.req.path : "other", c.res.status, seconds);
    // The path only: query strings are the caller's business, and never secrets of ours.
    if (logEnabled("debug")) {
      log.debug(`${c.req.method} ${c.req.path} ${c.res.status} ${(seconds * 1000).toFixed(1)}ms`);
    }
  };
}
