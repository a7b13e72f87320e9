/**
 * GET /predictions?pair=P[&window=W][&limit=N] (predicted against realised, newest first, with the
 * live errors) and GET /candles?pair=P[&window=W][&limit=N] (recent candles, oldest first, as
 * charts draw them). Bodies come from the shared reads, rendered once per second and limit.
 */
import { Hono } from "hono";
import { limitParam, pairParam, windowParam } from "../params.ts";
import { type RouteContext, trackedOr404 } from "../route_context.ts";
import { bodyFor, MAX_CANDLES } from "../series_reads.ts";

const JSON_TYPE = { "content-type": "application/json" };

export function seriesRoutes(ctx: RouteContext): Hono {
  return new Hono()
    .get("/predictions", async (c) => {
      const pair = pairParam(c.req.query("pair"));
      const window = windowParam(c.req.query("window"));
      const limit = limitParam(c.req.query("limit"), 100);
      const predictor = trackedOr404(ctx, pair, window);
      const { live, recent } = await ctx.reads.recentPredictions(predictor);
      const body = bodyFor(
        recent,
        limit,
        (predictions) => ({ pair, window: predictor.window, live, predictions }),
      );
      return c.body(body, 200, JSON_TYPE);
    })
    .get("/candles", async (c) => {
      const pair = pairParam(c.req.query("pair"));
      const window = windowParam(c.req.query("window"));
      const limit = limitParam(c.req.query("limit"), 200);
      const predictor = trackedOr404(ctx, pair, window);
      const recent = await ctx.reads.candles(predictor);
      const body = bodyFor(
        recent,
        Math.min(limit, MAX_CANDLES),
        (items) => ({ pair, window: predictor.window, candles: items.toReversed() }),
      );
      return c.body(body, 200, JSON_TYPE);
    });
}
