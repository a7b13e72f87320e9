/**
 * The HTTP API and dashboard, as a Hono app over the online store, the prediction store and the
 * registry: nothing here touches DuckDB, FFI or the file system beyond reading models, so the
 * same app serves from `deno task serve` and from Deno Deploy. Contracts: DESIGN.md section 4.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { isWindow, type Window, WINDOW_MS } from "../domain/candle.ts";
import { normalisePair } from "../domain/pair.ts";
import type { ModelRow } from "../model/features.ts";
import type { PointPrediction, Predictor } from "../model/predictor.ts";
import type { Registry } from "../model/registry.ts";
import type { KvFeatureStore } from "../stores/online_kv.ts";
import type { KvPredictionStore } from "../stores/prediction_store.ts";
import { logEnabled, type Logger, silent } from "../util/log.ts";
import { dashboardHtml } from "./dashboard.ts";
import { gauge, Metrics } from "./metrics.ts";
import { SharedReads } from "./shared_reads.ts";

export interface ServeDeps {
  online: KvFeatureStore;
  predictions: KvPredictionStore;
  registry: Registry;
  /** One per tracked (pair, window). */
  predictors: readonly Predictor[];
  /** Seconds; 0 disables the check; undefined: three windows. */
  maxFeatureAgeS?: number | undefined;
  /** Allowed CORS origins (`*` for any); none by default. */
  corsOrigins?: string[] | undefined;
  now?: () => number;
  log?: Logger;
  /** The charting library's script, served at /assets/lightweight-charts.js. */
  chartScript?: string | undefined;
  /** What the whole system is doing (under `start`/`demo`): shown by /health, /predict and the page. */
  status?: (() => SystemStatus) | undefined;
  /** Requests handled at once; more are answered 503 at once. @default {256} */
  maxInFlight?: number | undefined;
  /** Where requests are counted (shared with the server, which counts what it refuses itself). */
  metrics?: Metrics | undefined;
}

export interface SystemStatus {
  phase: "starting" | "catching up" | "training" | "live" | "stopping";
  detail: string;
}

const MAX_URL = 2048;
const MAX_LIMIT = 1000;
/** The candles a series keeps for charts (the online store's recent rows). */
const MAX_CANDLES = 500;
const MAX_IN_FLIGHT = 256;
/** Rendered bodies kept per series and second, one per distinct limit asked. */
const BODIES_KEPT = 16;
const JSON_TYPE = { "content-type": "application/json" };

interface Latest {
  row: ModelRow | null;
  prediction: PointPrediction | null;
}

/** The newest rows of one series as a route answers them, with bodies already rendered per limit. */
interface Recent<T> {
  items: T[];
  bodies: Map<number, string>;
}

/** The body for `limit` from `recent`, rendered once per second for the limits most asked. */
function bodyFor<T>(recent: Recent<T>, limit: number, render: (items: T[]) => unknown): string {
  let body = recent.bodies.get(limit);
  if (body === undefined) {
    body = JSON.stringify(render(recent.items.slice(0, limit)));
    if (recent.bodies.size < BODIES_KEPT) recent.bodies.set(limit, body);
  }
  return body;
}

class BadRequest extends Error {
  constructor(readonly parameter: string, message: string) {
    super(message);
  }
}

function pairParam(raw: string | undefined): string {
  if (raw === undefined || raw === "") {
    throw new BadRequest("pair", "the pair parameter is required, e.g. pair=BTC/USD");
  }
  const pair = raw.length <= 32 ? normalisePair(raw) : null;
  if (!pair) throw new BadRequest("pair", `'${raw.slice(0, 32)}' is not a pair such as BTC/USD`);
  return pair;
}

function windowParam(raw: string | undefined): Window | undefined {
  if (raw === undefined) return undefined;
  if (!isWindow(raw)) {
    throw new BadRequest("window", `'${raw.slice(0, 16)}' is not a window (1m, 5m, 15m, 1h)`);
  }
  return raw;
}

function limitParam(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new BadRequest("limit", `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return n;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function createApp(deps: ServeDeps): Hono {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? silent;
  const metrics = deps.metrics ?? new Metrics();
  const maxInFlight = deps.maxInFlight ?? MAX_IN_FLIGHT;
  const app = new Hono();

  // Every read route answers from reads shared per series and second, so a burst of requests
  // costs one store read (and one inference) per series, whatever its size.
  const reads = new SharedReads();
  const series = (p: Predictor) => `${p.pair}|${p.window}`;

  // Keyed by model version too: a swapped model answers at once.
  const latest = (predictor: Predictor): Promise<Latest> => {
    const model = predictor.current;
    return reads.get(`latest|${series(predictor)}|${model?.version ?? ""}`, async () => {
      const row = await deps.online.modelRow(predictor.pair, predictor.window, model?.card.other_pairs ?? []);
      return { row, prediction: row ? await predictor.predict(row) : null };
    });
  };
  const candles = (p: Predictor) =>
    reads.get(`candles|${series(p)}`, async (): Promise<Recent<Record<string, number>>> => {
      const rows = await deps.online.recent(p.pair, p.window, MAX_CANDLES);
      // Newest first, so a limit is a prefix.
      const items = rows.reverse().map((r) => ({
        t: r.window_start,
        open: r.open,
        high: r.high,
        low: r.low,
        close: r.close,
      }));
      return { items, bodies: new Map() };
    });
  const recentPredictions = (p: Predictor) =>
    reads.get(`predictions|${series(p)}`, async () => {
      const [list, live] = await Promise.all([
        deps.predictions.recent(p.pair, p.window, MAX_LIMIT),
        deps.predictions.liveErrors(p.pair, p.window),
      ]);
      const items = list.map((x) => ({ ...x, made_at: iso(x.made_at) }));
      return { live, recent: { items, bodies: new Map<number, string>() } };
    });

  // Every route registered below answers GET (and so HEAD); other methods get 405 there.
  const getPaths = () => new Set(app.routes.filter((r) => r.method === "GET").map((r) => r.path));
  let known: Set<string> | undefined;
  const isRoute = (path: string) => (known ??= getPaths()).has(path);

  const tracked = (pair: string, window?: Window): Predictor | undefined =>
    deps.predictors.find((p) => p.pair === pair && (window === undefined || p.window === window));
  const maxAge = (window: Window) => deps.maxFeatureAgeS ?? (3 * WINDOW_MS[window]) / 1000;

  // One gate before every route: it refuses an over-long URL, and a request beyond maxInFlight
  // at once (however many arrive, at most maxInFlight wait on the stores), and counts every answer.
  let inFlight = 0;
  app.use("*", async (c, next) => {
    const started = performance.now();
    if (c.req.url.length > MAX_URL) {
      c.res = c.json({ error: `the URL is longer than ${MAX_URL} characters` }, 414);
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
  });
  if (deps.corsOrigins?.length) {
    app.use(
      "*",
      cors({ origin: deps.corsOrigins.includes("*") ? "*" : deps.corsOrigins, allowMethods: ["GET"] }),
    );
  }
  app.onError((e, c) => {
    if (e instanceof BadRequest) return c.json({ error: e.message, parameter: e.parameter }, 400);
    log.error(`${c.req.method} ${c.req.path}: ${e.message}`);
    return c.json({ error: "internal error" }, 500);
  });

  app.get("/predict", async (c) => {
    const pair = pairParam(c.req.query("pair"));
    const window = windowParam(c.req.query("window"));
    const predictor = tracked(pair, window);
    if (!predictor) {
      return c.json({
        error: `${pair}${window ? ` ${window}` : ""} is not tracked`,
        tracked: deps.predictors.map((p) => `${p.pair} ${p.window}`),
      }, 404);
    }
    const w = predictor.window;
    if (!predictor.current) {
      const system = deps.status?.();
      c.header("Retry-After", "60");
      return c.json({
        error: "no model",
        reason: predictor.lastError ??
          (system && system.phase !== "live" ? `${system.phase}: ${system.detail}` : null) ??
          `no promoted model ${predictor.name}: run deno task train --pair ${pair} --window ${w}`,
      }, 503);
    }
    const { row, prediction } = await latest(predictor);
    if (!row || !prediction) {
      c.header("Retry-After", String(WINDOW_MS[w] / 1000));
      return c.json({ error: "no features", reason: `no ${pair} ${w} candle has closed yet` }, 503);
    }
    const age = (now() - row.window_end) / 1000;
    const limit = maxAge(w);
    if (limit > 0 && age > limit) {
      c.header("Retry-After", String(WINDOW_MS[w] / 1000));
      return c.json({
        error: "stale features",
        reason: `the latest ${pair} ${w} features are ${
          Math.round(age)
        } s old (limit ${limit} s): is ingest running?`,
      }, 503);
    }
    const p = prediction;
    return c.json({
      pair,
      window: w,
      as_of: iso(row.window_end),
      horizon_s: (predictor.horizon * WINDOW_MS[w]) / 1000,
      current_close: row.close,
      predicted_close: p.predicted_close,
      predicted_change_pct: (p.predicted_close / row.close - 1) * 100,
      model: p.model,
      features_age_s: age,
    });
  });

  const seriesStatus = async () =>
    await Promise.all(deps.predictors.map(async (p) => {
      const [row, live] = await reads.get(`status|${series(p)}`, () =>
        Promise.all([
          deps.online.latest(p.pair, p.window),
          deps.predictions.liveErrors(p.pair, p.window),
        ]));
      return {
        pair: p.pair,
        window: p.window,
        horizon: p.horizon,
        last_candle: row ? iso(row.window_end) : null,
        features_age_s: row ? (now() - row.window_end) / 1000 : null,
        model: p.current ? { name: p.name, version: p.current.version } : null,
        model_error: p.lastError,
        live,
      };
    }));

  app.get("/health", async (c) => {
    try {
      const series = await seriesStatus();
      const ready = series.some((s) => s.model !== null && s.last_candle !== null);
      return c.json({ status: "ok", ready, store: "ok", system: deps.status?.() ?? null, series });
    } catch (e) {
      return c.json({ status: "error", ready: false, store: (e as Error).message }, 503);
    }
  });

  app.get("/metrics", async (c) => {
    const series = await seriesStatus();
    const l = (s: { pair: string; window: string }) => ({ pair: s.pair, window: s.window });
    const text = metrics.render([
      ...gauge(
        "feature_lag_seconds",
        "Age of the latest feature row.",
        series.map((s) => [l(s), s.features_age_s]),
      ),
      ...gauge(
        "predictions_realised",
        "Predictions whose horizon has passed.",
        series.map((s) => [l(s), s.live.n]),
      ),
      ...gauge(
        "live_mae",
        "Live mean absolute error of the close.",
        series.flatMap((s) =>
          [
            [{ ...l(s), predictor: "model" }, s.live.mae_model],
            [{ ...l(s), predictor: "naive" }, s.live.mae_naive],
          ] as [Record<string, string>, number | null][]
        ),
      ),
      ...gauge(
        "model_info",
        "The model version serving.",
        series.map((s) => [{ ...l(s), version: s.model?.version ?? "none" }, 1]),
      ),
    ]);
    return c.text(text, 200, { "content-type": "text/plain; version=0.0.4" });
  });

  const models = async () => {
    const out = [];
    for (const name of await deps.registry.names()) {
      const { current } = await deps.registry.promotedFile(name);
      const versions = [];
      for (const v of await deps.registry.versions(name)) {
        try {
          const card = await deps.registry.card(name, v);
          versions.push({
            version: v,
            promoted: v === current,
            created_at: card.created_at,
            model: card.model.kind,
            rows: card.data.rows,
            overall: card.overall,
            decision: card.decision,
          });
        } catch {
          versions.push({ version: v, promoted: false, incomplete: true });
        }
      }
      out.push({ name, promoted: current, versions });
    }
    return JSON.stringify({ models: out });
  };
  app.get("/models", async (c) => c.body(await reads.get("models", models), 200, JSON_TYPE));

  app.get("/predictions", async (c) => {
    const pair = pairParam(c.req.query("pair"));
    const window = windowParam(c.req.query("window"));
    const limit = limitParam(c.req.query("limit"), 100);
    const predictor = tracked(pair, window);
    if (!predictor) return c.json({ error: `${pair} is not tracked` }, 404);
    const { live, recent } = await recentPredictions(predictor);
    const body = bodyFor(
      recent,
      limit,
      (predictions) => ({ pair, window: predictor.window, live, predictions }),
    );
    return c.body(body, 200, JSON_TYPE);
  });

  app.get("/candles", async (c) => {
    const pair = pairParam(c.req.query("pair"));
    const window = windowParam(c.req.query("window"));
    const limit = limitParam(c.req.query("limit"), 200);
    const predictor = tracked(pair, window);
    if (!predictor) return c.json({ error: `${pair} is not tracked` }, 404);
    const recent = await candles(predictor);
    // Oldest first, as charts draw them.
    const body = bodyFor(
      recent,
      Math.min(limit, MAX_CANDLES),
      (items) => ({ pair, window: predictor.window, candles: items.toReversed() }),
    );
    return c.body(body, 200, JSON_TYPE);
  });

  app.get(
    "/",
    (c) => c.html(dashboardHtml(deps.predictors.map((p) => ({ pair: p.pair, window: p.window })))),
  );
  app.get("/assets/lightweight-charts.js", (c) => {
    if (!deps.chartScript) return c.text("chart library not loaded", 404);
    return c.body(deps.chartScript, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=86400",
    });
  });
  app.notFound((c) => {
    if (!isRoute(c.req.path)) return c.json({ error: "not found" }, 404);
    c.header("Allow", "GET, HEAD");
    return c.json({ error: `${c.req.method} is not allowed on ${c.req.path}: use GET` }, 405);
  });
  return app;
}

/**
 * The charting library's standalone build, read through the module loader (no file permission
 * needed); undefined, with a warning, when it cannot be (the dashboard then shows numbers only).
 */
export async function loadChartScript(log: Logger = silent): Promise<string | undefined> {
  try {
    const url = new URL(
      "lightweight-charts.standalone.production.js",
      import.meta.resolve("lightweight-charts"),
    );
    return (await import(url.href, { with: { type: "text" } })).default as string;
  } catch (e) {
    log.warn(
      `the chart library could not be loaded (${(e as Error).message}); the dashboard shows numbers only`,
    );
    return undefined;
  }
}
