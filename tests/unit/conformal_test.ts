import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { conformalQuantile, interval, intervalReport, servingQuantiles } from "../../src/model/conformal.ts";
import { volatilityFloor } from "../../src/model/interval_scale.ts";
import { LIVE_SCORES, observeLive } from "../../src/model/online_intervals.ts";
import type { Dataset } from "../../src/model/dataset.ts";
import { walkForward } from "../../src/model/evaluate.ts";
import { walkForwardFolds } from "../../src/model/folds.ts";
import { seededRandom } from "../../src/util/random.ts";
import { datasetOf } from "../model_fixtures.ts";

/**
 * Log returns y = 0.3·signal + σ·noise, where σ (the row's realised volatility) switches between
 * calm and stormy regimes: a model that learns the signal has residuals proportional to σ.
 */
function market(n: number, seed = 7): Dataset {
  const r = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const X = new Float64Array(n * 2), y = new Float64Array(n);
  let vol = 0.001;
  for (let i = 0; i < n; i++) {
    if (i % 200 === 0) vol = r() < 0.5 ? 0.0005 : 0.004;
    const signal = gauss() * vol;
    X[i * 2] = signal;
    X[i * 2 + 1] = vol;
    y[i] = 0.3 * signal + vol * gauss();
  }
  return datasetOf(["signal", "realized_vol_15"], X, y);
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
  // Each candle is scored once: a fold's calibration is the earlier folds' test rows and those of
  // its own validation rows (the last 20% of its training rows) that were never test rows.
  let tested = 0;
  for (const [k, fold] of folds.entries()) {
    const testedBefore = new Set(folds.slice(0, k).flatMap((f) => [...f.test]));
    const own = [...fold.train.subarray(Math.floor(fold.train.length * 0.8))].filter((i) =>
      !testedBefore.has(i)
    );
    assertEquals(report.folds[k]!.calibration_rows, tested + own.length, `fold ${k + 1}`);
    tested += fold.test.length;
  }
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

Deno.test("intervals follow a market whose volatility the scale misreads: every fold stays near its level", () => {
  // The σ feature stays calm while the true volatility trebles for a stretch in the middle: a
  // calibration fixed at each fold's start covers 46% and 71% at the 80% level on folds 2 and 3
  // and 100% after; learning from each realised close (its score and its miss) catches up.
  const ds = market(6000, 5);
  for (let i = 2300; i < 3900; i++) ds.y[i] = ds.y[i]! * 3;
  const folds = walkForwardFolds(ds.time, { folds: 5, embargoMs: 60_000 });
  const config = { kind: "ridge" as const, lambda: 1e-6 };
  const report = intervalReport(ds, folds, config, walkForward(ds, folds, config), 1);
  for (const fold of report.folds) {
    for (const l of fold.levels) {
      assert(Math.abs(l.coverage - l.level) < 0.07, `fold ${fold.fold} level ${l.level}: ${l.coverage}`);
    }
  }
});

Deno.test("the card keeps the newest test scores, in order, and the drift of its levels; serving starts from its q", () => {
  const ds = market(3000, 3);
  const folds = walkForwardFolds(ds.time, { folds: 5, embargoMs: 60_000 });
  const config = { kind: "ridge" as const, lambda: 1e-6 };
  const { model } = intervalReport(ds, folds, config, walkForward(ds, folds, config), 1);
  assertEquals(model.scores!.length, Math.min(model.calibration_rows, 5000));
  assert(model.scores!.every((s, k) => k === 0 || s >= model.scores![k - 1]!), "ascending");
  assertEquals(Object.keys(model.drift!).sort(), ["0.8", "0.95"]);
  const start = servingQuantiles(model, null, ds.range.to);
  for (const l of ["0.8", "0.95"]) assertAlmostEquals(start[l]!, model.q[l]!, 1e-4 * model.q[l]!);
  // A card from before live learning serves its fixed q.
  const { scores: _s, times: _t, half_life_ms: _h, ...old } = model;
  assertEquals(servingQuantiles(old, null, ds.range.to + 1e9), model.q);
});

Deno.test("live closes move serving's intervals: misses widen them, a capped history drops the card's older scores", () => {
  const day = 86_400_000;
  const scores = Array.from({ length: 1000 }, (_, i) => (i + 1) / 1000);
  const card = {
    scale: "realized_vol_15" as const,
    floor: 1e-6,
    q: {},
    calibration_rows: 1000,
    half_life_ms: day,
    aci_step: 0.005,
    drift: { "0.8": 0, "0.95": 0 },
    scores,
    times: scores.map(() => 0),
  };
  const at = 60_000;
  const base = servingQuantiles(card, null, at);
  assertAlmostEquals(base["0.8"]!, 0.8, 0.002);
  // Fifty closes far outside both intervals: larger scores and a higher level.
  let live = null;
  for (let k = 0; k < 50; k++) {
    live = observeLive(live, "v0001", 5, k * 1000, { "0.8": false, "0.95": false });
  }
  assertAlmostEquals(live!.drift["0.8"]!, 50 * 0.8, 1e-9);
  const wide = servingQuantiles(card, live, at);
  assert(wide["0.8"]! > base["0.8"]! && wide["0.95"]! > base["0.95"]!, JSON.stringify({ base, wide }));
  // Another version starts afresh.
  assertEquals(observeLive(live, "v0002", 1, 0, { "0.8": true, "0.95": true }).scores, [1]);
  // At the cap the oldest live score goes, and the card's scores older than the oldest kept one too.
  let full = null;
  for (let k = 0; k <= LIVE_SCORES; k++) {
    full = observeLive(full, "v0001", 0.001, 1 + k, { "0.8": true, "0.95": true });
  }
  assertEquals(full!.scores.length, LIVE_SCORES);
  assertEquals(full!.times[0], 2);
  assertAlmostEquals(servingQuantiles(card, full, at)["0.95"]!, 0.001, 1e-12);
});
