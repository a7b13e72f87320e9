/**
 * The HTTP API and dashboard, as a Hono app over the online store, the prediction store and the
 * registry: nothing here touches DuckDB, FFI or the file system beyond reading models, so the
 * same app serves from `deno task serve` and from Deno Deploy. Contracts: DESIGN.md section 4.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { isWindow, type Window, WINDOW_MS } from "../domain/candle.ts";
import { normalisePair } from "../domain/pair.ts";
import type { PointPrediction, Predictor } from "../model/predictor.ts";
import type { FeatureRowWithNews } from "../domain/feature_row.ts";
import type { Registry } from "../model/registry.ts";
import type { KvFeatureStore } from "../stores/online_kv.ts";
import type { KvPredictionStore } from "../stores/prediction_store.ts";
import { logEnabled, type Logger, silent } from "../util/log.ts";
import { dashboardHtml } from "./dashboard.ts";
import { gauge, Metrics } from "./metrics.ts";

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
}

export interface SystemStatus {
  phase: "starting" | "catching up" | "training" | "live" | "stopping";
  detail: string;
}

const MAX_URL = 2048;
/** How long a series' latest row and prediction are reused. */
const LATEST_TTL_MS = 1000;

interface Latest {
  row: FeatureRowWithNews | null;
  prediction: PointPrediction | null;
}
const MAX_LIMIT = 1000;

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
  const metrics = new Metrics();
  const app = new Hono();

  // The latest row and its prediction per series, shared by the requests of the next second (one
  // read and one inference however many arrive) and dropped at once when the model is swapped.
  const cache = new Map<Predictor, { at: number; version: string; value: Promise<Latest> }>();
  const latest = (predictor: Predictor): Promise<Latest> => {
    const version = predictor.current?.version ?? "";
    const hit = cache.get(predictor);
    if (hit && hit.version === version && performance.now() - hit.at < LATEST_TTL_MS) return hit.value;
    const value = (async (): Promise<Latest> => {
      const row = await deps.online.latestWithNews(predictor.pair, predictor.window);
      return { row, prediction: row ? await predictor.predict(row) : null };
    })();
    cache.set(predictor, { at: performance.now(), version, value });
    value.catch(() => cache.delete(predictor));
    return value;
  };

  const tracked = (pair: string, window?: Window): Predictor | undefined =>
    deps.predictors.find((p) => p.pair === pair && (window === undefined || p.window === window));
  const maxAge = (window: Window) => deps.maxFeatureAgeS ?? (3 * WINDOW_MS[window]) / 1000;

  app.use("*", async (c, next) => {
    const started = performance.now();
    if (c.req.url.length > MAX_URL) {
      return c.json({ error: `the URL is longer than ${MAX_URL} characters` }, 414);
    }
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath === "/*" ? "other" : c.req.routePath;
    metrics.request(route, c.res.status, seconds);
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
      const row = await deps.online.latest(p.pair, p.window);
      const live = await deps.predictions.liveErrors(p.pair, p.window);
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

  app.get("/models", async (c) => {
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
    return c.json({ models: out });
  });

  app.get("/predictions", async (c) => {
    const pair = pairParam(c.req.query("pair"));
    const window = windowParam(c.req.query("window"));
    const limit = limitParam(c.req.query("limit"), 100);
    const predictor = tracked(pair, window);
    if (!predictor) return c.json({ error: `${pair} is not tracked` }, 404);
    const list = await deps.predictions.recent(pair, predictor.window, limit);
    return c.json({
      pair,
      window: predictor.window,
      live: await deps.predictions.liveErrors(pair, predictor.window),
      predictions: list.map((p) => ({ ...p, made_at: iso(p.made_at) })),
    });
  });

  app.get("/candles", async (c) => {
    const pair = pairParam(c.req.query("pair"));
    const window = windowParam(c.req.query("window"));
    const limit = limitParam(c.req.query("limit"), 200);
    const predictor = tracked(pair, window);
    if (!predictor) return c.json({ error: `${pair} is not tracked` }, 404);
    const rows = await deps.online.recent(pair, predictor.window, Math.min(limit, 500));
    return c.json({
      pair,
      window: predictor.window,
      candles: rows.map((r) => ({
        t: r.window_start,
        open: r.open,
        high: r.high,
        low: r.low,
        close: r.close,
      })),
    });
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
  app.notFound((c) => c.json({ error: "not found" }, 404));
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
