/**
 * What `serve` and the Deno Deploy entry share: the predictors of the tracked series (loaded
 * from the registry, then watched for promotions) and the app over the online stores, with the
 * metrics it counts into (which the HTTP listener's own answers join).
 */
import type { Window } from "../domain/candle.ts";
import type { Predictor } from "../domain/ports.ts";
import { openPredictors } from "../registry/predictor.ts";
import { Registry } from "../registry/registry.ts";
import type { KvFeatureStore } from "../stores/online_kv.ts";
import { KvPredictionStore } from "../stores/prediction_store.ts";
import { logger } from "../util/log.ts";
import { createApp } from "./app.ts";
import { loadChartScript } from "./chart_script.ts";
import { Metrics } from "./metrics.ts";
import type { Hono } from "hono";

export interface ServerOptions {
  online: KvFeatureStore;
  modelsDir: string;
  pairs: readonly string[];
  window: Window;
  horizon: number;
  maxFeatureAgeS?: number | undefined;
  corsOrigins?: string[] | undefined;
  modelRefreshMs: number;
  signal: AbortSignal;
  /** More gauge lines for /metrics, from memory (the bus's, under `serve --bus kafka`). */
  extraGauges?: (() => string[]) | undefined;
}

export async function buildServer(
  o: ServerOptions,
): Promise<{ app: Hono; predictors: Predictor[]; metrics: Metrics }> {
  const registry = new Registry(o.modelsDir);
  const log = logger("serve");
  const predictions = new KvPredictionStore(o.online.kv);
  const predictors = await openPredictors(registry, o.pairs, o.window, o.horizon, {
    refreshMs: o.modelRefreshMs,
    signal: o.signal,
    log: logger("model"),
    liveIntervals: predictions,
  });
  const chartScript = await loadChartScript(log);
  const metrics = new Metrics();
  const app = createApp({
    online: o.online,
    predictions,
    registry,
    predictors,
    maxFeatureAgeS: o.maxFeatureAgeS,
    corsOrigins: o.corsOrigins,
    log,
    chartScript,
    metrics,
    extraGauges: o.extraGauges,
  });
  return { app, predictors, metrics };
}
