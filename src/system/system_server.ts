/** The API and dashboard of `start` and `demo`, on the system's own listener, and the startup line naming it. */
import type { LoopStatus } from "../domain/model_loop.ts";
import type { OnlineFeatureStore, PredictionStore } from "../domain/ports.ts";
import type { OnnxPredictor } from "../registry/predictor.ts";
import type { Registry } from "../registry/registry.ts";
import { createApp, type SystemStatus } from "../serve/app.ts";
import { loadChartScript } from "../serve/chart_script.ts";
import { listen } from "../serve/http_listener.ts";
import { Metrics } from "../serve/metrics.ts";
import { logger } from "../util/log.ts";
import type { SystemOptions } from "./system.ts";

export interface SystemServerDeps {
  online: OnlineFeatureStore;
  predictions: PredictionStore;
  registry: Registry;
  predictors: readonly OnnxPredictor[];
  status: () => SystemStatus;
  loop: (pair: string, window: string) => LoopStatus | null;
  now: () => number;
}

/** Serves until `signal` aborts; `finished` resolves once the listener has closed. */
export async function serveSystem(
  o: SystemOptions,
  deps: SystemServerDeps,
  signal: AbortSignal,
): Promise<{ finished: Promise<void> }> {
  const log = logger("system");
  const metrics = new Metrics();
  const app = createApp({
    ...deps,
    metrics,
    maxFeatureAgeS: o.maxFeatureAgeS,
    log: logger("http"),
    chartScript: await loadChartScript(log),
  });
  const server = await listen(app.fetch, {
    port: o.port,
    hostname: o.host,
    signal,
    onOwnAnswer: (status) => metrics.serverAnswer(status),
    onTimeout: (kind) => metrics.timedOut(kind),
  });
  metrics.watchTimeouts(server.timeouts);
  const host = o.host === "0.0.0.0" ? "localhost" : o.host;
  log.info(
    `dashboard at http://${host}:${server.port}/ · market: ${o.market.description} · ` +
      `pairs ${o.pairs.join(", ")} ` +
      `(${o.windows.join(",")}, predicting ${o.horizon} × ${o.windows[0]}) · news: ${
        o.news ? `CryptoPanic every ${o.news.pollMs / 1000}s` : "off (set CRYPTOPANIC_TOKEN)"
      } · data ${o.dataDir} · models ${o.modelsDir}`,
  );
  return server;
}
