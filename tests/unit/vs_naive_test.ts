import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { dieboldMariano } from "../../src/model/diebold_mariano.ts";
import { driftReturn, vsBaseline, vsNaive, walkForward } from "../../src/model/evaluate.ts";
import { priceMetrics } from "../../src/model/metrics.ts";
import { walkForwardFolds } from "../../src/model/folds.ts";
import { datasetOf } from "../model_fixtures.ts";
import { gaussians } from "../helpers.ts";

/** Log returns y = strength·x0 + noise, with x1 pure noise. */
function market(n: number, strength: number, seed: number) {
  const x0 = gaussians(n, seed, 0.001), x1 = gaussians(n, seed + 1, 0.001), e = gaussians(n, seed + 2, 0.001);
  const X = new Float64Array(n * 2), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    X[2 * i] = x0[i]!;
    X[2 * i + 1] = x1[i]!;
    y[i] = strength * x0[i]! + e[i]!;
  }
  return datasetOf(["x0", "x1"], X, y);
}

function evaluate(strength: number, seed: number) {
  const ds = market(3000, strength, seed);
  const folds = walkForwardFolds(ds.time, { folds: 5, embargoMs: 60_000 });
  return { ds, evaluation: walkForward(ds, folds, { kind: "ridge", lambda: 1 }) };
}

Deno.test("the test folds' lead over naive is significant when the signal is real", () => {
  const { evaluation } = evaluate(0.5, 1);
  const v = evaluation.vs_naive;
  assertEquals(v.n, evaluation.rows.length);
  assert(v.mae_diff < 0 && v.dm_statistic < -3 && v.p_value < 0.001, JSON.stringify(v));
});

Deno.test("a model fitted to noise is not called ahead of naive beyond chance", () => {
  for (const seed of [3, 6, 9]) {
    const v = evaluate(0, seed).evaluation.vs_naive;
    assert(v.p_value > 0.05, `seed ${seed}: ${JSON.stringify(v)}`);
  }
});

Deno.test("vs naive compares absolute errors of the close row by row, with the dataset's horizon", () => {
  const { ds, evaluation } = evaluate(0.2, 4);
  const { rows, predictions } = evaluation;
  const abs = (p: (k: number) => number) =>
    Array.from(rows, (i, k) => Math.abs(ds.close[i]! * Math.exp(p(k)) - ds.targetClose[i]!));
  const model = abs((k) => predictions[k]!), naive = abs(() => 0);
  for (const horizon of [1, 5]) {
    const dm = dieboldMariano(model, naive, horizon);
    const v = vsNaive(predictions, rows, { ...ds, horizon });
    assertAlmostEquals(v.mae_diff, dm.meanDiff, 1e-12);
    assertAlmostEquals(v.dm_statistic, dm.statistic, 1e-9);
    assertAlmostEquals(v.p_value, dm.pBetter, 1e-12);
  }
  assertEquals(evaluation.vs_naive, vsNaive(predictions, rows, ds));
  // No change predicted: no difference, no evidence either way.
  const none = vsNaive(new Float64Array(rows.length), rows, ds);
  assertEquals([none.mae_diff, none.dm_statistic, none.p_value], [0, 0, 1]);
});

Deno.test("the drift baseline is the median of each fold's training targets, a constant", () => {
  assertEquals(driftReturn({ y: Float64Array.of(3, -1, 2, 10, 0) }, [0, 1, 2, 3, 4]), 2);
  assertEquals(driftReturn({ y: Float64Array.of(3, -1, 2, 10, 0) }, [0, 1, 3, 4]), 1.5);
  assertEquals(driftReturn({ y: Float64Array.of(1) }, []), 0);
  const ds = market(3000, 0.2, 5);
  const folds = walkForwardFolds(ds.time, { folds: 5, embargoMs: 60_000 });
  const evaluation = walkForward(ds, folds, { kind: "ridge", lambda: 1 });
  const drift: number[] = [];
  for (const [k, fold] of folds.entries()) {
    const ys = Array.from(fold.train, (i) => ds.y[i]!).sort((a, b) => a - b);
    const median = (ys[ys.length / 2 - 1]! + ys[ys.length / 2]!) / 2;
    const constant = new Float64Array(fold.test.length).fill(median);
    assertEquals(ys.length % 2, 0);
    assertEquals(evaluation.folds[k]!.drift, priceMetrics(constant, fold.test, ds));
    drift.push(...constant);
  }
  assertEquals(evaluation.overall.drift, priceMetrics(drift, evaluation.rows, ds));
  assertEquals(evaluation.vs_drift, vsBaseline(evaluation.predictions, drift, evaluation.rows, ds));
});

Deno.test("a model that only learnt the trend is far ahead of naive and barely ahead of drift", () => {
  // Returns with a steady upward drift and inputs that say nothing about them.
  const n = 3000, e = gaussians(n, 11, 0.001), x = Float64Array.from(gaussians(n * 2, 12, 1));
  const y = Float64Array.from(e, (v) => v + 0.0004);
  const ds = datasetOf(["x0", "x1"], x, y);
  const folds = walkForwardFolds(ds.time, { folds: 5, embargoMs: 60_000 });
  const evaluation = walkForward(ds, folds, { kind: "ridge", lambda: 100 });
  const { model, drift } = evaluation.overall;
  assert(drift!.skill > 0.05 && model.skill > 0.05, JSON.stringify({ model, drift }));
  assert(evaluation.vs_naive.p_value < 0.001, JSON.stringify(evaluation.vs_naive));
  // Its lead over drift is a sliver of its lead over naive: the mean it learnt estimates the same
  // trend as the median, a little more tightly on Gaussian noise.
  const { vs_naive, vs_drift } = evaluation;
  assert(Math.abs(vs_drift.mae_diff) < 0.05 * -vs_naive.mae_diff, JSON.stringify({ vs_naive, vs_drift }));
  // With a real signal on top of the trend, the model is ahead of drift too.
  const signal = datasetOf(["x0", "x1"], x, y.map((v, i) => v + 0.001 * x[2 * i]!));
  const withSignal = walkForward(signal, folds, { kind: "ridge", lambda: 1 });
  assert(withSignal.vs_drift.p_value < 0.001, JSON.stringify(withSignal.vs_drift));
});
