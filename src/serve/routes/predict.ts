/**
 * GET /predict?pair=P[&window=W][&horizon=N]: the promoted model's prediction from the latest
 * features, with the 80% and 95% intervals of the close (null from a model without calibrated
 * intervals); 404 for a series not tracked or a horizon (in candles) not served, 503 (with the reason and Retry-After) when no model serves, no candle
 * has closed, or the latest features are older than the limit. Contract: DESIGN.md section 4.
 */
import { type Context, Hono } from "hono";
import { WINDOW_MS } from "../../domain/candle.ts";
import type { ModelRow } from "../../domain/feature_row.ts";
import type { PointPrediction, Predictor } from "../../domain/ports.ts";
import { httpError } from "../http_error.ts";
import { horizonParam, pairParam, queryParam, windowParam } from "../params.ts";
import { featureAgeLimitS, type RouteContext, trackedOr404 } from "../route_context.ts";
import type { Latest } from "../series_reads.ts";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Why no model serves `predictor`, in the words /predict answers with. Under `start`/`demo` (a
 * system status) the system trains its models itself, live too (a retry once the history has grown),
 * and holds the offline store `train` would need, so its status is the answer rather than a command.
 */
function noModelReason(ctx: RouteContext, predictor: Predictor): string {
  const system = ctx.status?.();
  // The horizon too: train's default is 1, which would not make the model a series served with
  // `--horizon 5` needs.
  const { pair, window, horizon } = predictor;
  return predictor.lastError ??
    (system ? `${system.phase}: ${system.detail}` : null) ??
    `no promoted model ${predictor.name}: run deno task train --pair ${pair} --window ${window} --horizon ${horizon}`;
}

const JSON_TYPE = { "content-type": "application/json" };

/**
 * The answer's JSON up to its last member, `features_age_s`, which alone changes from one request
 * to the next: made once per prediction (a store read and model run, shared per series and second)
 * and kept with it, so a request only appends its age.
 */
const prepared = new WeakMap<Latest, string>();

function preparedPrefix(latest: Latest, predictor: Predictor, row: ModelRow, prediction: PointPrediction) {
  let prefix = prepared.get(latest);
  if (prefix === undefined) {
    const w = predictor.window;
    const body = JSON.stringify({
      pair: predictor.pair,
      window: w,
      as_of: iso(row.window_end),
      horizon_s: (predictor.horizon * WINDOW_MS[w]) / 1000,
      current_close: row.close,
      predicted_close: prediction.predicted_close,
      predicted_change_pct: (prediction.predicted_close / row.close - 1) * 100,
      interval_80: prediction.interval_80,
      interval_95: prediction.interval_95,
      model: prediction.model,
    });
    prefix = `${body.slice(0, -1)},"features_age_s":`;
    prepared.set(latest, prefix);
  }
  return prefix;
}

export function predictRoutes(ctx: RouteContext): Hono {
  const answer = (c: Context, predictor: Predictor, latest: Latest): Response => {
    const { row, prediction } = latest;
    const { pair, window: w } = predictor;
    if (!row || !prediction) {
      throw httpError(503, { error: "no features", reason: `no ${pair} ${w} candle has closed yet` }, {
        "Retry-After": String(WINDOW_MS[w] / 1000),
      });
    }
    const age = (ctx.now() - row.window_end) / 1000;
    const limit = featureAgeLimitS(ctx, w);
    if (limit !== null && age > limit) {
      const reason = `the latest ${pair} ${w} features are ${Math.round(age)} s old (limit ${limit} s): ` +
        `is ingest running?`;
      throw httpError(503, { error: "stale features", reason }, {
        "Retry-After": String(WINDOW_MS[w] / 1000),
      });
    }
    return c.body(
      `${preparedPrefix(latest, predictor, row, prediction)}${JSON.stringify(age)}}`,
      200,
      JSON_TYPE,
    );
  };

  // Not async: while this second's read of the series has answered, the answer is made at once,
  // with no promise between the request and the HTTP engine.
  return new Hono().get("/predict", (c): Response | Promise<Response> => {
    const pair = pairParam(queryParam(c.req, "pair"));
    const window = windowParam(queryParam(c.req, "window"));
    const horizon = horizonParam(queryParam(c.req, "horizon"));
    const tracked = ctx.predictors.map((p) => `${p.pair} ${p.window} h${p.horizon}`);
    const predictor = trackedOr404(ctx, pair, window, {
      error: `${pair}${window ? ` ${window}` : ""} is not tracked`,
      tracked,
    });
    if (horizon !== undefined && horizon !== predictor.horizon) {
      throw httpError(404, {
        error:
          `${pair} ${predictor.window} is predicted ${predictor.horizon} candle(s) ahead, not ${horizon}`,
        tracked,
      });
    }
    if (!predictor.current) {
      // While the system starts (catching up, training its first models) a model is seconds away;
      // without one later, someone has to train it.
      const phase = ctx.status?.().phase;
      const retry = phase === "starting" || phase === "catching up" || phase === "training" ? "5" : "60";
      throw httpError(503, { error: "no model", reason: noModelReason(ctx, predictor) }, {
        "Retry-After": retry,
      });
    }
    const latest = ctx.reads.latest(predictor);
    if (latest instanceof Promise) return latest.then((l) => answer(c, predictor, l));
    return answer(c, predictor, latest);
  });
}
