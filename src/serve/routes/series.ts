/**
 * GET /predictions?pair=P[&window=W][&limit=N] (predicted against realised, newest first, with the
 * live errors) and GET /candles?pair=P[&window=W][&limit=N] (recent candles, oldest first, as
 * charts draw them). Bodies come from the shared reads, rendered once per second and limit.
 */
import { Hono } from "hono";
import { limitParam, pairParam, queryParam, windowParam } from "../params.ts";
import { type RouteContext, trackedOr404 } from "../route_context.ts";
import { bodyFor, MAX_CANDLES } from "../series_reads.ts";

const JSON_TYPE = { "content-type": "application/json" };

/** `answer(value)`, at once when `value` is at hand rather than a promise of it. */
function when<T>(value: T | Promise<T>, answer: (value: T) => Response): Response | Promise<Response> {
  return value instanceof Promise ? value.then(answer) : answer(value);
}

// Not async: once this second's read has answered, a request is answered without a promise.
export function seriesRoutes(ctx: RouteContext): Hono {
  return new Hono()
    .get("/predictions", (c): Response | Promise<Response> => {
      const pair = pairParam(queryParam(c.req, "pair"));
      const window = windowParam(queryParam(c.req, "window"));
      const limit = limitParam(queryParam(c.req, "limit"), 100);
      const predictor = trackedOr404(ctx, pair, window);
      return when(ctx.reads.recentPredictions(predictor), ({ live, recent }) => {
        const body = bodyFor(
          recent,
          limit,
          (predictions) => ({ pair, window: predictor.window, live, predictions }),
        );
        return c.body(body, 200, JSON_TYPE);
      });
    })
    .get("/candles", (c): Response | Promise<Response> => {
      const pair = pairParam(queryParam(c.req, "pair"));
      const window = windowParam(queryParam(c.req, "window"));
      const limit = limitParam(queryParam(c.req, "limit"), 200, MAX_CANDLES);
      const predictor = trackedOr404(ctx, pair, window);
      return when(ctx.reads.candles(predictor), (recent) => {
        const body = bodyFor(
          recent,
          limit,
          (items) => ({ pair, window: predictor.window, candles: items.toReversed() }),
        );
        return c.body(body, 200, JSON_TYPE);
      });
    });
}
