import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { fitGbdt, predictGbdt } from "../../src/model/gbdt.ts";
import { fitRidge, predictRidge } from "../../src/model/ridge.ts";
import { walkForwardFolds } from "../../src/model/folds.ts";
import { priceMetrics } from "../../src/model/metrics.ts";
import { decide } from "../../src/model/promotion.ts";
import { candidates } from "../../src/model/search.ts";
import { seededRandom } from "../../src/util/random.ts";

function grid(n: number, F: number, seed: number, f: (x: Float64Array) => number) {
  const r = seededRandom(seed);
  const X = new Float64Array(n * F), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < F; j++) X[i * F + j] = r() * 2 - 1;
    y[i] = f(X.subarray(i * F, (i + 1) * F));
  }
  return { X, y };
}

// A step in x0, a step in x1 only where x0 > 0, and three noise features.
const piecewise = (x: Float64Array) => (x[0]! > 0.2 ? 3 : -1) + (x[0]! > 0.2 && x[1]! < -0.5 ? 2 : 0);

Deno.test("gbdt: recovers a known piecewise function", () => {
  const { X, y } = grid(4000, 5, 1, piecewise);
  const m = fitGbdt(X, y, 4000, 5, {
    rounds: 200,
    learningRate: 0.2,
    maxDepth: 3,
    minSamplesLeaf: 5,
    subsample: 1,
    colsample: 1,
    lambda: 0,
  });
  const test = grid(1000, 5, 2, piecewise);
  const pred = predictGbdt(m, test.X, 1000, 5);
  let mae = 0;
  for (let i = 0; i < 1000; i++) mae += Math.abs(pred[i]! - test.y[i]!) / 1000;
  assert(mae < 0.1, `MAE ${mae}`);
  // The splits are where the function steps.
  const roots = new Set(m.trees.map((t) => t.feature[0]));
  assert(roots.has(0), "x0 splits the root");
});

Deno.test("gbdt: more trees never raise the training loss (L2, all rows)", () => {
  const { X, y } = grid(2000, 4, 3, (x) => Math.sin(3 * x[0]!) + x[1]! * x[2]!);
  for (const loss of ["l2", "huber"] as const) {
    const m = fitGbdt(X, y, 2000, 4, { loss, rounds: 80, subsample: 1, colsample: 1, validationFraction: 0 });
    for (let i = 1; i < m.trainLoss.length; i++) {
      assert(m.trainLoss[i]! <= m.trainLoss[i - 1]! + 1e-12, `${loss} round ${i}`);
    }
    assertEquals(m.trees.length, 80);
  }
});

Deno.test("gbdt: the same seed gives the same model; early stopping keeps the best validation round", () => {
  const { X, y } = grid(1500, 4, 4, (x) => x[0]! + 0.3 * (x[1]! > 0 ? 1 : 0));
  const a = fitGbdt(X, y, 1500, 4, { seed: 7, subsample: 0.6, colsample: 0.6, rounds: 60 });
  const b = fitGbdt(X, y, 1500, 4, { seed: 7, subsample: 0.6, colsample: 0.6, rounds: 60 });
  const c = fitGbdt(X, y, 1500, 4, { seed: 8, subsample: 0.6, colsample: 0.6, rounds: 60 });
  assertEquals(a.trees, b.trees);
  assert(JSON.stringify(a.trees) !== JSON.stringify(c.trees));
  const noisy = grid(1500, 3, 5, () => 0);
  const r = seededRandom(9);
  for (let i = 0; i < 1500; i++) noisy.y[i] = r() - 0.5;
  const stopped = fitGbdt(noisy.X, noisy.y, 1500, 3, { rounds: 300, earlyStoppingRounds: 10 });
  assert(stopped.trees.length < 300, "pure noise stops early");
  const best = stopped.validLoss.indexOf(Math.min(...stopped.validLoss)) + 1;
  assertEquals(stopped.trees.length, best);
});

Deno.test("ridge: recovers linear coefficients, and a constant feature is harmless", () => {
  const { X, y } = grid(3000, 3, 6, (x) => 2 * x[0]! - 0.5 * x[1]! + 0.1);
  for (let i = 0; i < 3000; i++) X[i * 3 + 2] = 4; // constant
  const m = fitRidge(X, y, 3000, 3, 1e-9);
  const pred = predictRidge(m, Float64Array.from([0.5, 0.2, 4]), 1, 3);
  assertAlmostEquals(pred[0]!, 2 * 0.5 - 0.5 * 0.2 + 0.1, 1e-6);
  assertEquals(m.weights[2], 0);
});

Deno.test("walk-forward folds: expanding, in time order, and no training target reaches a test row", () => {
  const W = 60_000;
  const time = Float64Array.from({ length: 600 }, (_, i) => i * W + (i > 300 ? 30 * W : 0)); // with a gap
  const folds = walkForwardFolds(time, { folds: 4, embargoMs: 5 * W });
  assertEquals(folds.length, 4);
  for (const [k, f] of folds.entries()) {
    const lastTrain = time[f.train.at(-1)!]!;
    const firstTest = time[f.test[0]!]!;
    // A row's target is 5 candles after it: it must not be later than the test block's start.
    assert(lastTrain + 5 * W <= firstTest, `fold ${k + 1}`);
    assert(f.train.every((i) => i < f.test[0]!));
    if (k > 0) assert(f.train.length > folds[k - 1]!.train.length, "expanding");
  }
  assertEquals(folds.at(-1)!.test.at(-1), 599);
});

Deno.test("price metrics: MAE and RMSE of the implied close, direction on real moves, skill vs naive", () => {
  const data = {
    close: Float64Array.from([100, 100, 100, 100]),
    targetClose: Float64Array.from([110, 90, 100, 105]),
    y: Float64Array.from([Math.log(1.1), Math.log(0.9), 0, Math.log(1.05)]),
  };
  const pred = [Math.log(1.05), Math.log(1.02), 0, 0];
  const m = priceMetrics(pred, [0, 1, 2, 3], data);
  const errs = [105 - 110, 102 - 90, 0, 100 - 105];
  assertAlmostEquals(m.mae, errs.reduce((a, e) => a + Math.abs(e), 0) / 4, 1e-9);
  assertAlmostEquals(m.rmse, Math.sqrt(errs.reduce((a, e) => a + e * e, 0) / 4), 1e-9);
  assertAlmostEquals(m.directional_accuracy!, 1 / 3, 1e-12); // right on the first; a flat prediction is no call
  assertAlmostEquals(m.skill, 1 - m.mae / ((10 + 10 + 0 + 5) / 4), 1e-12);
});

Deno.test("the gate: equal to the naive baseline or to the promoted model is not enough", () => {
  assertEquals(decide(1.0, 1.0, null).promoted, false);
  assertEquals(decide(1.1, 1.0, null).promoted, false);
  assertEquals(decide(0.9, 1.0, null).promoted, true);
  assertEquals(decide(0.9, 1.0, { version: "v0001", mae: 0.9 }).promoted, false);
  assert(decide(0.9, 1.0, { version: "v0001", mae: 0.9 }).reason.includes("v0001"));
  assertEquals(decide(0.8, 1.0, { version: "v0001", mae: 0.9 }).promoted, true);
  // Against the promoted setting, the new model's own setting walked forward alike counts, not the
  // per-fold choice its reported MAE comes from.
  const alike = decide(0.8, 1.0, { version: "v0001", mae: 0.9, candidateMae: 0.95 });
  assertEquals(alike.promoted, false);
  assert(alike.reason.includes("MAE 0.950000 is not below the promoted v0001's 0.900000"), alike.reason);
  assert(alike.reason.endsWith("each setting walked forward alike"), alike.reason);
  assertEquals(decide(0.95, 1.0, { version: "v0001", mae: 0.9, candidateMae: 0.85 }).promoted, true);
});

Deno.test("search candidates: seeded, within the budget, ridge spanning its grid under auto", () => {
  const a = candidates("auto", 12, 3), b = candidates("auto", 12, 3);
  assertEquals(a, b);
  assertEquals(a.length, 12);
  const ridge = a.filter((c) => c.kind === "ridge");
  assertEquals(ridge.length, 3);
  assert(candidates("ridge", 5, 1).every((c) => c.kind === "ridge"));
  assertEquals(JSON.stringify(candidates("gbdt", 4, 1)) === JSON.stringify(candidates("gbdt", 4, 2)), false);
});

Deno.test("price metrics: direction on the calls made, and the share of moves called", () => {
  const data = {
    close: Float64Array.from([100, 100, 100, 100, 100]),
    targetClose: Float64Array.from([101, 99, 102, 100, 98]),
    y: Float64Array.from([Math.log(1.01), Math.log(0.99), Math.log(1.02), 0, Math.log(0.98)]),
  };
  // Right on the first, wrong on the second, no call on the third and fifth; the fourth did not move.
  const m = priceMetrics([0.01, 0.005, 0, 0.003, 0], [0, 1, 2, 3, 4], data);
  assertAlmostEquals(m.directional_accuracy!, 1 / 4, 1e-12);
  assertAlmostEquals(m.calls!, 2 / 4, 1e-12);
  assertAlmostEquals(m.call_accuracy!, 1 / 2, 1e-12);
  const none = priceMetrics([0, 0, 0, 0, 0], [0, 1, 2, 3, 4], data);
  assertEquals([none.directional_accuracy, none.calls, none.call_accuracy], [0, 0, null]);
});
