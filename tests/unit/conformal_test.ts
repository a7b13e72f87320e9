import { assert, assertEquals } from "../assert.ts";
import {
  conformalQuantile,
  interval,
  intervalReport,
  volatilityFloor,
  weightedConformalQuantile,
} from "../../src/model/conformal.ts";
import type { Dataset } from "../../src/model/dataset.ts";
import { walkForward } from "../../src/model/evaluate.ts";
import { walkForwardFolds } from "../../src/model/folds.ts";
import { seededRandom } from "../../src/util/random.ts";

/**
 * Log returns y = 0.3·signal + σ·noise, where σ (the row's realised volatility) switches between
 * calm and stormy regimes: a model that learns the signal has residuals proportional to σ.
 */
function market(n: number, seed = 7): Dataset {
  const r = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const features = ["signal", "realized_vol_15"];
  const X = new Float64Array(n * 2), y = new Float64Array(n);
  const close = new Float64Array(n), targetClose = new Float64Array(n), time = new Float64Array(n);
  let vol = 0.001;
  for (let i = 0; i < n; i++) {
    if (i % 200 === 0) vol = r() < 0.5 ? 0.0005 : 0.004;
    const signal = gauss() * vol;
    X[i * 2] = signal;
    X[i * 2 + 1] = vol;
    y[i] = 0.3 * signal + vol * gauss();
    close[i] = 100;
    targetClose[i] = 100 * Math.exp(y[i]!);
    time[i] = i * 60_000;
  }
  return {
    pair: "BTC/USD",
    window: "1m",
    horizon: 1,
    features,
    X,
    y,
    close,
    targetClose,
    sma: close,
    time,
    n,
    range: { from: 0, to: time[n - 1]! },
    hash: "",
  };
}

Deno.test("the conformal quantile is the ⌈(n+1)·level⌉-th smallest score, or infinite when too few", () => {
  const scores = [9, 1, 8, 2, 7, 3, 6, 4, 5];
  assertEquals(conformalQuantile(scores, 0.8), 8);
  assertEquals(conformalQuantile(scores, 0.5), 5);
  assertEquals(conformalQuantile(scores, 0.95), Infinity);
});

Deno.test("the volatility floor is a low quantile of the positive volatilities", () => {
  const vols = [0, 0, ...Array.from({ length: 100 }, (_, i) => (i + 1) / 1000)];
  assertEquals(volatilityFloor(vols), 0.005);
  assertEquals(volatilityFloor([0, 0]), 1e-6);
});

Deno.test("an interval is the prediction ± q·σ in log terms, with σ floored", () => {
  const model = { floor: 0.01, q: { "0.8": 2, "0.95": 3 } };
  const [lo, hi] = interval(100, 0, 0.001, model, 0.8);
  assertEquals([lo.toFixed(6), hi.toFixed(6)], [
    (100 * Math.exp(-0.02)).toFixed(6),
    (100 * Math.exp(0.02)).toFixed(6),
  ]);
});

Deno.test("conformal intervals cover close to their level on every fold, calm and stormy alike", () => {
  const ds = market(6000);
  const folds = walkForwardFolds(ds.time, { folds: 5, embargoMs: 60_000 });
  const config = { kind: "ridge" as const, lambda: 1e-6 };
  const evaluation = walkForward(ds, folds, config);
  const report = intervalReport(ds, folds, config, evaluation, 1);
  for (const fold of report.folds) {
    for (const l of fold.levels) {
      assert(Math.abs(l.coverage - l.level) < 0.04, `fold ${fold.fold} level ${l.level}: ${l.coverage}`);
    }
  }
  // Conditional on the regime: normalising by σ keeps calm rows from over-covering and stormy ones
  // from under-covering.
  const q = report.model.q["0.8"]!;
  const byRegime: Record<string, { inside: number; n: number }> = {
    calm: { inside: 0, n: 0 },
    stormy: { inside: 0, n: 0 },
  };
  evaluation.rows.forEach((i, k) => {
    const vol = ds.X[i * 2 + 1]!;
    const cell = byRegime[vol < 0.001 ? "calm" : "stormy"]!;
    cell.n++;
    if (Math.abs(ds.y[i]! - evaluation.predictions[k]!) <= q * vol) cell.inside++;
  });
  for (const [name, { inside, n }] of Object.entries(byRegime)) {
    assert(Math.abs(inside / n - 0.8) < 0.05, `${name}: ${inside}/${n}`);
  }
  assertEquals(report.model.calibration_rows, evaluation.rows.length);
});

Deno.test("a model with signal gets narrower intervals than naive volatility at the same coverage", () => {
  const ds = market(6000, 11);
  const folds = walkForwardFolds(ds.time, { folds: 5, embargoMs: 60_000 });
  const config = { kind: "ridge" as const, lambda: 1e-6 };
  const report = intervalReport(ds, folds, config, walkForward(ds, folds, config), 1);
  for (const l of report.overall) {
    assert(Math.abs(l.naive_coverage - l.level) < 0.03, JSON.stringify(l));
    assert(l.width < l.naive_width, JSON.stringify(l));
  }
});

Deno.test("the recency-weighted conformal quantile: equal weights give the plain one, recent scores count more", () => {
  const scores = Array.from({ length: 99 }, (_, i) => i + 1);
  for (const level of [0.5, 0.8, 0.95]) {
    assertEquals(
      weightedConformalQuantile(scores, scores.map(() => 1), level),
      conformalQuantile(scores, level),
    );
  }
  // The large scores are the recent ones (weight 1), the small ones old (weight 0.01): the quantile rises.
  const weights = scores.map((s) => (s > 50 ? 1 : 0.01));
  const q = weightedConformalQuantile(scores, weights, 0.8);
  assertEquals(q > conformalQuantile(scores, 0.8), true, `${q}`);
  assertEquals(q, 90);
  assertEquals(weightedConformalQuantile([1, 2], [1, 1], 0.95), Infinity, "too little weight for the level");
});
