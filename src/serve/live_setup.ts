/** Streaming predictions for a task that owns both stores: one predictor per pair on the prediction window. */
import type { Window } from "../domain/candle.ts";
import { Predictor } from "../model/predictor.ts";
import { Registry } from "../model/registry.ts";
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
  const predictors = cfg.pairs.map((p) =>
    new Predictor(registry, p, window, cfg.horizon ?? 1, logger("model"))
  );
  for (const p of predictors) {
    if ((await p.refresh()) === "none") {
      log.info(`${p.pair} ${window}: no promoted model ${p.name}; predicting "no change" (naive)`);
    }
    p.watch(5000, signal);
  }
  signal.addEventListener("abort", () => predictors.forEach((p) => void p.close()), { once: true });
  return new LivePredictions(
    predictors,
    stores.online,
    new KvPredictionStore(stores.online.kv),
    stores.offline,
    log,
  );
}
