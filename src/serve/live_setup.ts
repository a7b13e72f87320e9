/** Streaming predictions for a task that owns both stores: one predictor per pair on the prediction window. */
import type { Window } from "../domain/candle.ts";
import { openPredictors } from "../registry/predictor.ts";
import { Registry } from "../registry/registry.ts";
import type { FeatureStores } from "../stores/feature_stores.ts";
import { KvPredictionStore } from "../stores/prediction_store.ts";
import { logger } from "../util/log.ts";
import { LivePredictions } from "./live_predictions.ts";

export async function livePredictions(
  cfg: {
    pairs: readonly string[];
    windows: readonly Window[];
    predictWindow?: Window | undefined;
    horizon?: number;
    modelsDir: string;
  },
  stores: FeatureStores,
  signal: AbortSignal,
): Promise<LivePredictions> {
  const window = cfg.predictWindow ?? cfg.windows[0]!;
  const registry = new Registry(cfg.modelsDir);
  const log = logger("predict");
  const predictions = new KvPredictionStore(stores.online.kv);
  const predictors = await openPredictors(registry, cfg.pairs, window, cfg.horizon ?? 1, {
    refreshMs: 5000,
    signal,
    log: logger("model"),
    liveIntervals: predictions,
  });
  return new LivePredictions(
    predictors,
    stores.online,
    predictions,
    stores.offline,
    log,
  );
}
