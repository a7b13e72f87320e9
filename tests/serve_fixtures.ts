/**
 * A seeded system for the serving tests: feature rows in a KV online store, a trained model in a
 * registry, and the app on a free loopback port.
 */
import type { FeatureRow } from "../src/domain/feature_row.ts";
import { buildDataset } from "../src/model/dataset.ts";
import { OnnxPredictor } from "../src/registry/predictor.ts";
import { Registry } from "../src/registry/registry.ts";
import { trainAndRegister } from "../src/registry/train_and_register.ts";
import { createApp, type ServeDeps } from "../src/serve/app.ts";
import { loadChartScript } from "../src/serve/chart_script.ts";
import { DuckDbFeatureStore } from "../src/stores/offline_duckdb.ts";
import { KvFeatureStore } from "../src/stores/online_kv.ts";
import { KvPredictionStore } from "../src/stores/prediction_store.ts";
import { syntheticRows } from "./model_fixtures.ts";

export interface Seeded {
  dir: string;
  rows: FeatureRow[];
  online: KvFeatureStore;
  predictions: KvPredictionStore;
  registry: Registry;
}

/** Rows in both stores of `dir`, and (unless `train` is false) a promoted ridge model. */
export async function seed(dir: string, { n = 1200, train = true } = {}): Promise<Seeded> {
  const rows = syntheticRows(n, { phi: 0.6 });
  const registry = new Registry(`${dir}/models`);
  const offline = await DuckDbFeatureStore.open(`${dir}/offline.duckdb`);
  try {
    await offline.upsert(rows);
    if (train) {
      const ds = await buildDataset(offline, { pair: "BTC/USD", window: "1m", horizon: 1 });
      await trainAndRegister(ds, { choice: "ridge", folds: 3, budget: 2, seed: 1, registry });
    }
  } finally {
    offline.close();
  }
  const online = await KvFeatureStore.open(`${dir}/online.kv`);
  await online.upsert(rows);
  return { dir, rows, online, predictions: new KvPredictionStore(online.kv), registry };
}

export interface TestServer {
  base: string;
  predictors: OnnxPredictor[];
  close(): Promise<void>;
}

export async function serveSeeded(
  s: Seeded,
  { pairs = ["BTC/USD", "ETH/USD"], ...extra }: { pairs?: string[] } & Partial<ServeDeps> = {},
): Promise<TestServer> {
  const predictors = pairs.map((p) => new OnnxPredictor(s.registry, p, "1m", 1));
  for (const p of predictors) await p.refresh();
  const app = createApp({
    online: s.online,
    predictions: s.predictions,
    registry: s.registry,
    predictors,
    maxFeatureAgeS: 0,
    chartScript: await loadChartScript(),
    ...extra,
  });
  const controller = new AbortController();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: controller.signal, onListen() {} },
    app.fetch,
  );
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    predictors,
    async close() {
      controller.abort();
      await server.finished;
      for (const p of predictors) await p.close();
    },
  };
}
