/**
 * The HTTP API and dashboard, as a Hono app over the ports it reads: the online feature store, the
 * prediction store, the model registry and one predictor per tracked series. Nothing here touches
 * DuckDB, FFI or the file system, so the same app serves from `deno task serve`, from `start` and
 * from Deno Deploy, and runs in memory in tests (`app.request`). The routes live in `routes/`, one
 * file per group; errors are thrown as `HttpError`s (Hono's `HTTPException`) carrying their answer,
 * and answered by the one `onError` below. Contracts: DESIGN.md section 4.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { LoopStatus } from "../domain/model_loop.ts";
import type { ModelRegistry, OnlineFeatureStore, PredictionStore, Predictor } from "../domain/ports.ts";
import { type Logger, silent } from "../util/log.ts";
import { gate } from "./gate.ts";
import { HttpError } from "./http_error.ts";
import { Metrics } from "./metrics.ts";
import type { RouteContext, SystemStatus } from "./route_context.ts";
import { modelRoutes } from "./routes/models.ts";
import { pageRoutes } from "./routes/pages.ts";
import { predictRoutes } from "./routes/predict.ts";
import { seriesRoutes } from "./routes/series.ts";
import { statusRoutes } from "./routes/status.ts";
import { SeriesReads } from "./series_reads.ts";

export type { SystemStatus };

export interface ServeDeps {
  online: OnlineFeatureStore;
  predictions: PredictionStore;
  registry: ModelRegistry;
  /** One per tracked (pair, window). */
  predictors: readonly Predictor[];
  /** Seconds; 0 disables the check; undefined: three windows. */
  maxFeatureAgeS?: number | undefined;
  /** Allowed CORS origins (`*` for any); none by default. */
  corsOrigins?: string[] | undefined;
  /** Epoch ms. @default {Date.now} */
  now?: () => number;
  log?: Logger;
  /** The charting library's script, served at /assets/lightweight-charts.js. */
  chartScript?: string | undefined;
  /** What the whole system is doing (under `start`/`demo`): shown by /health, /predict and the page. */
  status?: (() => SystemStatus) | undefined;
  /** The model loop's view of a series (under `start`/`demo`): /health and the page show it. */
  loop?: ((pair: string, window: string) => LoopStatus | null) | undefined;
  /** Requests handled at once; more are answered 503 at once. @default {256} */
  maxInFlight?: number | undefined;
  /** Where requests are counted (shared with the server, which counts what it refuses itself). */
  metrics?: Metrics | undefined;
  /**
   * More gauge lines for /metrics (the bus's, under `serve --bus kafka`); called on every scrape, so
   * it answers from memory.
   */
  extraGauges?: (() => string[]) | undefined;
}

/**
 * The app over `deps`.
 *
 * @example
 * ```ts
 * const app = createApp({ online, predictions, registry, predictors });
 * const res = await app.request("http://localhost/predict?pair=BTC/USD");
 * ```
 */
export function createApp(deps: ServeDeps): Hono {
  const log = deps.log ?? silent;
  const metrics = deps.metrics ?? new Metrics();
  const ctx: RouteContext = {
    predictors: deps.predictors,
    registry: deps.registry,
    reads: new SeriesReads(deps.online, deps.predictions),
    now: deps.now ?? Date.now,
    status: deps.status,
    loop: deps.loop,
    maxFeatureAgeS: deps.maxFeatureAgeS,
    chartScript: deps.chartScript,
    extraGauges: deps.extraGauges,
  };
  const app = new Hono();

  // Every route answers GET (and so HEAD); other methods on a route's path get 405.
  let known: RouteTable | undefined;
  const routeOf = (path: string): string | null => {
    known ??= routeTable(app.routes.filter((r) => r.method === "GET").map((r) => r.path));
    if (known.exact.has(path)) return path;
    return known.patterns.find((p) => p.re.test(path))?.path ?? null;
  };

  if (deps.corsOrigins?.length) {
    const origin = deps.corsOrigins.includes("*") ? "*" : deps.corsOrigins;
    app.use("*", cors({ origin, allowMethods: ["GET"] }));
  }
  app.onError((e, c) => {
    if (e instanceof HttpError) return e.respond(c);
    if (e instanceof HTTPException) return e.getResponse();
    log.error(`${c.req.method} ${c.req.path}: ${e.message}`);
    return c.json({ error: "internal error" }, 500);
  });
  app.route("/", predictRoutes(ctx));
  app.route("/", statusRoutes(ctx, metrics));
  app.route("/", modelRoutes(ctx));
  app.route("/", seriesRoutes(ctx));
  app.route("/", pageRoutes(ctx));
  app.notFound((c) => {
    if (routeOf(c.req.path) === null) return c.json({ error: "not found" }, 404);
    c.header("Allow", "GET, HEAD");
    return c.json({ error: `${c.req.method} is not allowed on ${c.req.path}: use GET` }, 405);
  });
  // In front of everything, `app.request` included (it calls `fetch`).
  app.fetch = gate(app.fetch, { metrics, log, maxInFlight: deps.maxInFlight, routeOf });
  return app;
}

/** Route paths, the ones with parameters (`:name`) as patterns matching one path segment each. */
function routeTable(paths: readonly string[]): RouteTable {
  const param = (p: string) => p.split("/").some((s) => s.startsWith(":"));
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const segment = (s: string) => s.startsWith(":") ? "[^/]+" : escape(s);
  return {
    exact: new Set(paths.filter((p) => !param(p))),
    patterns: paths.filter(param).map((path) => ({
      path,
      re: new RegExp(`^${path.split("/").map(segment).join("/")}$`),
    })),
  };
}

interface RouteTable {
  exact: Set<string>;
  patterns: { path: string; re: RegExp }[];
}
