/**
 * Training and inference speed of the price models, and their real results:
 * - GBDT against LightGBM on the same feature matrix, and at 500,000 × 80 (`gbdt_fit.ts`);
 * - GBDT, 300 rounds at depth 6 on 100,000 rows × 40 features (target < 30 s), beside ridge on
 *   the same rows;
 * - ONNX inference through onnxruntime-web per row at batch 1 (target < 50 µs) and batch 1,000,
 *   for the GBDT export;
 * - the conformal intervals walked row by row over a year of 1m rows (`intervals.ts`, target < 10 s);
 * - on ../shared/data, the REST OHLC files (1m and 5m) through the feature engine, trained at
 *   horizons 1 and 5: skill against naive and directional accuracy per fold, and the drift
 *   baseline's skill beside the model's.
 */
import { flushCandles, stepCandle } from "../src/transforms/candles.ts";
import { initialFeatureState, SeriesIndicators } from "../src/transforms/features.ts";
import { candleFile } from "../src/sources/files/candle_file.ts";
import { DuckDbFeatureStore } from "../src/stores/offline_duckdb.ts";
import { buildDataset } from "../src/model/dataset.ts";
import { fitGbdt } from "../src/model/gbdt.ts";
import { fitRidge } from "../src/model/ridge.ts";
import { gbdtOnnx, runOnnx } from "../src/registry/onnx_export.ts";
import { openSession } from "../src/onnx/runtime.ts";
import { Registry } from "../src/registry/registry.ts";
import { trainAndRegister } from "../src/registry/train_and_register.ts";
import type { Window } from "../src/domain/candle.ts";
import type { BenchResult } from "./ws_frames.ts";
import { benchGbdtFit, randomMatrix } from "./gbdt_fit.ts";
import { benchIntervals } from "./intervals.ts";

const SHARED = new URL("../../shared/data/kraken/", import.meta.url).pathname;

async function realResults(): Promise<void> {
  for (
    const [file, window] of [["rest_ohlc_XXBTZUSD_1m_2020-04_05.csv", "1m"], [
      "rest_ohlc_XXBTZUSD_5m_2020-04_05.csv",
      "5m",
    ]] as const
  ) {
    const path = `${SHARED}${file}`;
    try {
      await Deno.stat(path);
    } catch {
      console.log(`  ${file} absent: real training results skipped`);
      return;
    }
    const dir = await Deno.makeTempDir({ prefix: "bench-train-" });
    try {
      const store = await DuckDbFeatureStore.open(`${dir}/offline.duckdb`);
      const state = initialFeatureState({ windows: [window as Window], graceMs: 0 });
      const series = new SeriesIndicators(state.indicators);
      const rows = [];
      for await (
        const c
          of (await candleFile(path, { format: "kraken-ohlc", pair: "BTC/USD", window: window as Window }))
            .stream
      ) {
        rows.push(...series.rows(stepCandle(state.candles, c)));
      }
      rows.push(...series.rows(flushCandles(state.candles)));
      await store.upsert(rows);
      for (const horizon of [1, 5]) {
        const ds = await buildDataset(store, { pair: "BTC/USD", window: window as Window, horizon });
        const r = await trainAndRegister(ds, {
          choice: "auto",
          folds: 5,
          budget: 20,
          seed: 1,
          registry: new Registry(`${dir}/models`),
        });
        const perFold = r.folds.map((f) =>
          `${(f.model.skill * 100).toFixed(2)}%/${
            f.model.directional_accuracy === null
              ? "-"
              : (f.model.directional_accuracy * 100).toFixed(1) + "%"
          }`
        ).join(" ");
        console.log(
          `  BTC/USD ${window} h${horizon} (${ds.n} rows, ${r.model.name.split("(")[0]}): skill ${
            (r.model.skill * 100).toFixed(2)
          }%, ` +
            `direction ${((r.model.directional_accuracy ?? 0) * 100).toFixed(1)}%, ` +
            `drift baseline ${(r.drift.skill * 100).toFixed(2)}% (model vs drift p = ${
              r.vs_drift.p_value.toFixed(2)
            }), ${r.promoted ? "promoted" : "not promoted"}; ` +
            `per fold skill/direction: ${perFold}`,
        );
      }
      store.close();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
}

export async function benchTrain(): Promise<BenchResult[]> {
  const anchored = await benchGbdtFit();
  const n = 100_000, F = 40;
  const { X, y } = randomMatrix(n, F);
  let t0 = performance.now();
  const gbdt = fitGbdt(X, y, n, F, { rounds: 300, maxDepth: 6, maxLeaves: 63, validationFraction: 0 });
  const gbdtSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  fitRidge(X, y, n, F, 1e-3);
  const ridgeSeconds = (performance.now() - t0) / 1000;
  console.log(
    `  GBDT: ${gbdt.trees.length} trees, depth 6, on ${n.toLocaleString("en-US")} × ${F}: ${
      gbdtSeconds.toFixed(2)
    } s`,
  );

  const session = await openSession(gbdtOnnx(gbdt, F, "bench", {}), "the bench model");
  const one = X.subarray(0, F);
  for (let i = 0; i < 200; i++) await runOnnx(session, one, 1, F);
  const reps = 2_000;
  t0 = performance.now();
  for (let i = 0; i < reps; i++) await runOnnx(session, X.subarray((i % 1000) * F, (i % 1000 + 1) * F), 1, F);
  const batch1 = ((performance.now() - t0) * 1000) / reps;
  t0 = performance.now();
  for (let i = 0; i < 20; i++) await runOnnx(session, X.subarray(i * 1000 * F, (i + 1) * 1000 * F), 1000, F);
  const batch1000 = ((performance.now() - t0) * 1000) / (20 * 1000);
  await session.release();
  console.log(
    `  ONNX (onnxruntime-web, ${gbdt.trees.length} trees): ${batch1.toFixed(1)} µs/row at batch 1, ${
      batch1000.toFixed(2)
    } µs/row at batch 1,000`,
  );

  const intervals = benchIntervals();
  await realResults();
  return [
    ...anchored,
    {
      name: "GBDT training, 300 rounds depth 6, 100k × 40",
      value: gbdtSeconds,
      unit: "s",
      reference: "ridge on the same rows (s)",
      referenceValue: ridgeSeconds,
      ratio: gbdtSeconds / ridgeSeconds,
      target: "< 30 s",
      pass: gbdtSeconds < 30,
    },
    {
      name: "ONNX inference, batch 1 (onnxruntime-web)",
      value: batch1,
      unit: "µs/row",
      reference: "batch 1,000 (µs/row)",
      referenceValue: batch1000,
      ratio: batch1 / batch1000,
      target: "< 50 µs/row",
      pass: batch1 < 50,
    },
    intervals,
  ];
}
