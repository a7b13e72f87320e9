/**
 * GBDT fit time against its anchor and at scale:
 * - the project's GBDT and LightGBM (one thread, same settings) on the same 20,710 × 32 feature
 *   matrix from the synthetic market, three fits each (min/median/max), with both test MAEs
 *   (target: project ≤ 2 × LightGBM at equal MAE); without the anchors' venv LightGBM is skipped;
 * - one fit on 500,000 × 80 random features (300 rounds, the default setting; target < 60 s).
 */
import { DEFAULT_GBDT, fitGbdt, type GbdtParams, predictGbdt } from "../src/model/gbdt.ts";
import { seededRandom } from "../src/util/random.ts";
import { anchorPython, ANCHORS_HINT } from "./anchors/python.ts";
import { lightgbmAnchor } from "./anchors/lightgbm.ts";
import { syntheticFeatureMatrix } from "./train_matrix.ts";
import type { BenchResult } from "./ws_frames.ts";

/** Test MAEs this close (relative) are equal: seeds and binning alone move them this much. */
const MAE_TOLERANCE = 0.01;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s.at(-1)! };
};
const fmtStats = (s: { min: number; median: number; max: number }) =>
  `${s.min.toFixed(2)} / ${s.median.toFixed(2)} / ${s.max.toFixed(2)} s`;

/** Every row draws uniform features; the target is a step, an interaction and noise. */
export function randomMatrix(n: number, F: number, seed = 11): { X: Float64Array; y: Float64Array } {
  const r = seededRandom(seed);
  const X = new Float64Array(n * F), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) X[i * F + f] = r() * 2 - 1;
    y[i] = 1e-3 * ((X[i * F]! > 0 ? 1 : -1) + X[i * F + 1]! * X[i * F + 2]!) + 1e-3 * (r() - 0.5);
  }
  return { X, y };
}

async function againstLightgbm(): Promise<BenchResult[]> {
  const m = syntheticFeatureMatrix(20_710);
  const train = Math.floor(m.n * 0.8), test = m.n - train;
  // Fixed rounds, no early stopping: both fitters do the same number of trees.
  const params: GbdtParams = { ...DEFAULT_GBDT, validationFraction: 0 };
  const seconds: number[] = [];
  let mae = 0;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const model = fitGbdt(m.X.subarray(0, train * m.F), m.y.subarray(0, train), train, m.F, params);
    seconds.push((performance.now() - t0) / 1000);
    const pred = predictGbdt(model, m.X.subarray(train * m.F), test, m.F);
    mae = 0;
    for (let i = 0; i < test; i++) mae += Math.abs(pred[i]! - m.y[train + i]!) / test;
  }
  let naive = 0;
  for (let i = 0; i < test; i++) naive += Math.abs(m.y[train + i]!) / test;
  const own = stats(seconds);
  const what =
    `${params.rounds} rounds, ${params.maxLeaves} leaves, depth ${params.maxDepth}, lr ${params.learningRate}, ` +
    `min leaf ${params.minSamplesLeaf}, subsample ${params.subsample}, colsample ${params.colsample}, ` +
    `${params.maxBins} bins, one thread`;
  console.log(`  GBDT against LightGBM on ${m.source} × ${m.F} (fit on ${train}, test on ${test}): ${what}`);
  console.log(
    `    project GBDT: ${fmtStats(own)} (min/median/max of 3), test MAE ${mae.toExponential(4)} (naive ${
      naive.toExponential(4)
    })`,
  );
  const python = await anchorPython();
  if (python === null) {
    console.log(`    LightGBM anchor skipped: ${ANCHORS_HINT}`);
    return [];
  }
  const lgb = await lightgbmAnchor(python, m, train, params, 3);
  const theirs = stats(lgb.fitSeconds);
  const maeGap = Math.abs(mae - lgb.testMae) / lgb.testMae;
  const ratio = own.median / theirs.median;
  console.log(
    `    LightGBM ${lgb.version}: ${fmtStats(theirs)}, test MAE ${lgb.testMae.toExponential(4)}; ` +
      `ratio ${ratio.toFixed(2)} (medians), MAE ${maeGap <= MAE_TOLERANCE ? "equal" : "NOT equal"} (${
        (maeGap * 100).toFixed(2)
      }% apart, tolerance ${MAE_TOLERANCE * 100}%)`,
  );
  return [{
    name: `GBDT fit, 20,710 × 32 synthetic-market features, ${params.rounds} rounds, one thread`,
    value: own.median,
    unit: "s",
    reference: "LightGBM, same matrix and settings (s)",
    referenceValue: theirs.median,
    ratio,
    target: `<= 2.0 × LightGBM, test MAE within ${MAE_TOLERANCE * 100}%`,
    pass: ratio <= 2 && maeGap <= MAE_TOLERANCE,
  }];
}

function atScale(): BenchResult {
  const n = 500_000, F = 80;
  const { X, y } = randomMatrix(n, F);
  const params: Partial<GbdtParams> = { validationFraction: 0 };
  const t0 = performance.now();
  const model = fitGbdt(X, y, n, F, params);
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `  GBDT on ${n.toLocaleString("en-US")} × ${F} random features, the default setting ` +
      `(${model.trees.length} trees, ${DEFAULT_GBDT.maxLeaves} leaves, depth ${DEFAULT_GBDT.maxDepth}, ` +
      `subsample ${DEFAULT_GBDT.subsample}, colsample ${DEFAULT_GBDT.colsample}): ${
        seconds.toFixed(1)
      } s, one run`,
  );
  return {
    name: "GBDT fit, 500k × 80, 300 rounds (default setting)",
    value: seconds,
    unit: "s",
    reference: "seconds per tree",
    referenceValue: seconds / model.trees.length,
    ratio: seconds / 60,
    target: "< 60 s",
    pass: seconds < 60,
  };
}

export async function benchGbdtFit(): Promise<BenchResult[]> {
  const results = await againstLightgbm();
  results.push(atScale());
  return results;
}
