/**
 * GET /predict?pair=P[&window=W]: the promoted model's prediction from the latest features; 404
 * for a series not tracked, 503 (with the reason and Retry-After) when no model serves, no candle
 * has closed, or the latest features are older than the limit. Contract: DESIGN.md section 4.
 */
import { Hono } from "hono";
import { type Window, WINDOW_MS } from "../../domain/candle.ts";
import type { Predictor } from "../../domain/ports.ts";
import { httpError } from "../http_error.ts";
import { pairParam, windowParam } from "../params.ts";
import { type RouteContext, trackedOr404 } from "../route_context.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/** Why no model serves `predictor`, in the words /predict answers with. */
function noModelReason(ctx: RouteContext, predictor: Predictor): string {
  const system = ctx.status?.();
  return predictor.lastError ??
    (system && system.phase !== "live" ? `${system.phase}: ${system.detail}` : null) ??
    `no promoted model ${predictor.name}: run deno task train --pair ${predictor.pair} --window ${predictor.window}`;
}

export function predictRoutes(ctx: RouteContext): Hono {
  const maxAge = (window: Window) => ctx.maxFeatureAgeS ?? (3 * WINDOW_MS[window]) / 1000;
  return new Hono().get("/predict", async (c) => {
    const pair = pairParam(c.req.query("pair"));
    const window = windowParam(c.req.query("window"));
    const predictor = trackedOr404(ctx, pair, window, {
      error: `${pair}${window ? ` ${window}` : ""} is not tracked`,
      tracked: ctx.predictors.map((p) => `${p.pair} ${p.window}`),
    });
    const w = predictor.window;
    const retry = { "Retry-After": String(WINDOW_MS[w] / 1000) };
    if (!predictor.current) {
      throw httpError(503, { error: "no model", reason: noModelReason(ctx, predictor) }, {
        "Retry-After": "60",
      });
    }
    const { row, prediction } = await ctx.reads.latest(predictor);
    if (!row || !prediction) {
      throw httpError(503, { error: "no features", reason: `no ${pair} ${w} candle has closed yet` }, retry);
    }
    const age = (ctx.now() - row.window_end) / 1000;
    const limit = maxAge(w);
    if (limit > 0 && age > limit) {
      const reason = `the latest ${pair} ${w} features are ${Math.round(age)} s old (limit ${limit} s): ` +
        `is ingest running?`;
      throw httpError(503, { error: "stale features", reason }, retry);
    }
    return c.json({
      pair,
      window: w,
      as_of: iso(row.window_end),
      horizon_s: (predictor.horizon * WINDOW_MS[w]) / 1000,
      current_close: row.close,
      predicted_close: prediction.predicted_close,
      predicted_change_pct: (prediction.predicted_close / row.close - 1) * 100,
      model: prediction.model,
      features_age_s: age,
    });
  });
}
