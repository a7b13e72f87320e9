/**
 * GET /health (liveness and readiness, with each series' last candle, model and live errors) and
 * GET /metrics (Prometheus text: the request counters, and per series the feature lag, realised
 * predictions, live MAE of model and naive, interval coverage and level, the model version serving, and under
 * `start`/`demo` the model loop's live skill, model age, fallback, shadow progress and retraining,
 * and under `serve --bus kafka` the bus's gauges; names and help in ../metric_names.ts).
 */
import { Hono } from "hono";
import type { Predictor } from "../../domain/ports.ts";
import { SERIES_GAUGES, type SeriesGauge } from "../metric_names.ts";
import { gauge, type Metrics } from "../metrics.ts";
import { featureAgeLimitS, type RouteContext } from "../route_context.ts";

const iso = (ms: number) => new Date(ms).toISOString();

async function seriesStatus(ctx: RouteContext) {
  return await Promise.all(ctx.predictors.map(async (p: Predictor) => {
    const [row, live, levels] = await ctx.reads.status(p);
    return {
      pair: p.pair,
      window: p.window,
      horizon: p.horizon,
      last_candle: row ? iso(row.window_end) : null,
      features_age_s: row ? (ctx.now() - row.window_end) / 1000 : null,
      // Past it /predict answers 503 "stale features"; null when the check is off.
      max_feature_age_s: featureAgeLimitS(ctx, p.window),
      model: p.current ? { name: p.name, version: p.current.version } : null,
      model_error: p.lastError,
      live,
      // Where adaptive conformal inference has moved the nominal 80% and 95% levels.
      interval_levels: levels,
      ...(ctx.loop ? { loop: ctx.loop(p.pair, p.window) } : {}),
    };
  }));
}

export function statusRoutes(ctx: RouteContext, metrics: Metrics): Hono {
  return new Hono()
    .get("/health", async (c) => {
      try {
        const series = await seriesStatus(ctx);
        // Ready when /predict can answer for some series: a model, and features it does not refuse as stale.
        const ready = series.some((s) =>
          s.model !== null && s.features_age_s !== null &&
          (s.max_feature_age_s === null || s.features_age_s <= s.max_feature_age_s)
        );
        return c.json({ status: "ok", ready, store: "ok", system: ctx.status?.() ?? null, series });
      } catch (e) {
        return c.json({ status: "error", ready: false, store: (e as Error).message }, 503);
      }
    })
    .get("/metrics", async (c) => {
      const series = await seriesStatus(ctx);
      const l = (s: { pair: string; window: string }) => ({ pair: s.pair, window: s.window });
      type Sample = [Record<string, string>, number | null];
      const g = (name: SeriesGauge, samples: Sample[]) => gauge(name, SERIES_GAUGES[name].help, samples);
      const looped = series.flatMap((s) => (s.loop ? [{ s, loop: s.loop }] : []));
      const text = metrics.render([
        ...g("feature_lag_seconds", series.map((s) => [l(s), s.features_age_s])),
        ...g("predictions_realised", series.map((s) => [l(s), s.live.n])),
        ...g(
          "live_mae",
          series.flatMap((s): Sample[] => [
            [{ ...l(s), predictor: "model" }, s.live.mae_model],
            [{ ...l(s), predictor: "naive" }, s.live.mae_naive],
          ]),
        ),
        ...g(
          "live_interval_coverage",
          series.flatMap((s): Sample[] => [
            [{ ...l(s), level: "0.8" }, s.live.coverage_80],
            [{ ...l(s), level: "0.95" }, s.live.coverage_95],
          ]),
        ),
        ...g(
          "interval_level",
          series.flatMap((s): Sample[] =>
            Object.entries(s.interval_levels ?? {}).map(([level, at]) => [{ ...l(s), level }, at])
          ),
        ),
        ...g("model_info", series.map((s) => [{ ...l(s), version: s.model?.version ?? "none" }, 1])),
        // The model loop's gauges, under start and demo.
        ...(looped.length === 0 ? [] : [
          ...g("live_skill", looped.map(({ s, loop }) => [l(s), loop.live_skill])),
          ...g("live_skill_rows", looped.map(({ s, loop }) => [l(s), loop.live_rows])),
          ...g("model_age_seconds", looped.map(({ s, loop }) => [l(s), loop.champion?.age_s ?? null])),
          ...g("model_max_age_seconds", looped.map(({ s, loop }) => [l(s), loop.max_model_age_s])),
          ...g("model_fallback", looped.map(({ s, loop }) => [l(s), loop.fallback ? 1 : 0])),
          ...g(
            "shadow_progress",
            looped.flatMap(({ s, loop }): Sample[] =>
              loop.challenger
                ? [[
                  { ...l(s), version: loop.challenger.version },
                  loop.challenger.realised / loop.challenger.needed,
                ]]
                : []
            ),
          ),
          ...g("retrain_running", looped.map(({ s, loop }) => [l(s), loop.retrain.running ? 1 : 0])),
        ]),
        ...(ctx.extraGauges?.() ?? []),
      ]);
      return c.text(text, 200, { "content-type": "text/plain; version=0.0.4" });
    });
}
