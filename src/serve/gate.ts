/**
 * What stands in front of every route: it refuses an over-long URL (414) and a request beyond
 * `maxInFlight` answered at once (503 with Retry-After: however many arrive, at most that many
 * wait on the stores), answers HEAD with the GET answer's headers, its length included, and
 * counts and times every answer into the metrics.
 *
 * It wraps the app's `fetch` instead of sitting in Hono's middleware chain: Hono composes
 * middleware through async functions, so a chain with it in costs every request a few promises,
 * even one a route answers at once from memory (`/predict` between store reads). Wrapped, an
 * answer given synchronously stays synchronous all the way to the HTTP engine.
 */
import { getPath } from "hono/utils/url";
import { logEnabled, type Logger } from "../util/log.ts";
import type { Metrics } from "./metrics.ts";

/** A fetch handler: the request, then whatever else its runtime passes along. */
export type Fetch<A extends unknown[]> = (request: Request, ...rest: A) => Response | Promise<Response>;

export interface GateOptions {
  metrics: Metrics;
  log: Logger;
  /** Requests handled at once. @default {256} */
  maxInFlight?: number | undefined;
  /** Longest URL answered, in characters. @default {2048} */
  maxUrl?: number;
  /** The app's route a path is on (`/models/:name/:version/backtest`), or null: counted as "other". */
  routeOf: (path: string) => string | null;
}

/**
 * `fetch` behind the gate.
 *
 * @example
 * ```ts
 * app.fetch = gate(app.fetch, { metrics, log, routeOf: (p) => p === "/predict" ? p : null });
 * ```
 */
export function gate<A extends unknown[]>(fetch: Fetch<A>, options: GateOptions): Fetch<A> {
  const { metrics, log, routeOf } = options;
  const maxInFlight = options.maxInFlight ?? 256;
  const maxUrl = options.maxUrl ?? 2048;
  let inFlight = 0;

  const count = (request: Request, path: string, status: number, started: number) => {
    const seconds = (performance.now() - started) / 1000;
    metrics.request(routeOf(path) ?? "other", status, seconds);
    // The path only: query strings are the caller's business, and never secrets of ours.
    if (logEnabled("debug")) {
      log.debug(`${request.method} ${path} ${status} ${(seconds * 1000).toFixed(1)}ms`);
    }
  };

  return function gated(request: Request, ...rest: A): Response | Promise<Response> {
    const started = performance.now();
    const path = getPath(request);
    let refused: Response | null = null;
    if (request.url.length > maxUrl) {
      refused = Response.json({ error: `the URL is longer than ${maxUrl} characters` }, { status: 414 });
    } else if (inFlight >= maxInFlight) {
      refused = Response.json(
        { error: "busy", reason: `${maxInFlight} requests are being answered; retry` },
        {
          status: 503,
          headers: { "Retry-After": "1" },
        },
      );
    }
    const head = request.method === "HEAD";
    if (refused) {
      count(request, path, refused.status, started);
      return head ? headOf(refused) : refused;
    }
    inFlight++;
    let answer: Response | Promise<Response>;
    try {
      // HEAD is asked as GET: Hono would answer it with a null body, which the HTTP engine sends
      // as `Content-Length: 0`, not the length a GET would get.
      answer = fetch(head ? new Request(request, { method: "GET" }) : request, ...rest);
    } catch (e) {
      inFlight--;
      throw e;
    }
    if (answer instanceof Response) {
      inFlight--;
      count(request, path, answer.status, started);
      return head ? headOf(answer) : answer;
    }
    const counted = answer.then((res) => {
      inFlight--;
      count(request, path, res.status, started);
      return res;
    }, (e) => {
      inFlight--;
      throw e;
    });
    return head ? counted.then(headOf) : counted;
  };
}

/** The answer to HEAD: `res`'s status and headers, with the length of the body it leaves out. */
async function headOf(res: Response): Promise<Response> {
  const headers = new Headers(res.headers);
  headers.set("content-length", String((await res.arrayBuffer()).byteLength));
  return new Response(null, { status: res.status, statusText: res.statusText, headers });
}
