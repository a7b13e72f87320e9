/**
 * GET /health (liveness and readiness, with each series' last candle, model and live errors) and
 * GET /metrics (Prometheus text: the request counters, and per series the feature lag, realised
 * predictions, live MAE of model and naive, and the model version serving).
 */
import { Hono } from "hono";
import type { Predictor } from "../../domain/ports.ts";
import { gauge, type Metrics } from "../metrics.ts";
import type { RouteContext } from "../route_context.ts";

const iso = (ms: number) => new Date(ms).toISOString();

async function seriesStatus(ctx: RouteContext) {
  return await Promise.all(ctx.predictors.map(async (p: Predictor) => {
    const [row, live] = await ctx.reads.status(p);
    return {
      pair: p.pair,
      window: p.window,
      horizon: p.horizon,
      last_candle: row ? iso(row.window_end) : null,
      features_age_s: row ? (ctx.now() - row.window_end) / 1000 : null,
      model: p.current ? { name: p.name, version: p.current.version } : null,
      model_error: p.lastError,
      live,
    };
  }));
}

export function statusRoutes(ctx: RouteContext, metrics: Metrics): Hono {
  return new Hono()
    .get("/health", async (c) => {
      try {
        const series = await seriesStatus(ctx);
        const ready = series.some((s) => s.model !== null && s.last_candle !== null);
        return c.json({ status: "ok", ready, store: "ok", system: ctx.status?.() ?? null, series });
      } catch (e) {
        return c.json({ status: "error", ready: false, store: (e as Error).message }, 503);
      }
    })
    .get("/metrics", async (c) => {
      const series = await seriesStatus(ctx);
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
          "live_interval_coverage",
          "Share of realised closes inside the prediction interval of each level.",
          series.flatMap((s) =>
            [
              [{ ...l(s), level: "0.8" }, s.live.coverage_80],
              [{ ...l(s), level: "0.95" }, s.live.coverage_95],
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
}
