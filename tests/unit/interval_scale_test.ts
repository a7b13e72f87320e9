import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { intervalReport } from "../../src/model/conformal.ts";
import type { Dataset } from "../../src/model/dataset.ts";
import { walkForward } from "../../src/model/evaluate.ts";
import { walkForwardFolds } from "../../src/model/folds.ts";
import {
  fitScale,
  rowScale,
  SCALE_INPUTS,
  scaleModelProblem,
  scaleOf,
} from "../../src/model/interval_scale.ts";
import { seededRandom } from "../../src/util/random.ts";
import { datasetOf } from "../model_fixtures.ts";

/** Realised volatility, then what the multiplier's terms read. */
const FEATURES = SCALE_INPUTS;

/**
 * A market whose volatility wanders from candle to candle (log σ an AR(1)): the next return's σ is
 * close to the current candle's, which its range and ATR show, while 15-candle realised volatility
 * lags behind.
 */
function market(n: number, seed = 3): Dataset {
  const r = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const F = FEATURES.length;
  const sigma = new Float64Array(n + 1), ret = new Float64Array(n + 1);
  let ls = Math.log(0.001);
  for (let t = 0; t <= n; t++) {
    ls = Math.log(0.001) + 0.95 * (ls - Math.log(0.001)) + 0.3 * gauss();
    sigma[t] = Math.exp(ls);
    ret[t] = sigma[t]! * gauss();
  }
  const X = new Float64Array(n * F), y = new Float64Array(n);
  let atr = 0.001;
  for (let t = 0; t < n; t++) {
    const range = sigma[t]! * (1.6 + 0.2 * Math.abs(gauss()));
    atr = atr + (range - atr) / 10;
    const past = Array.from({ length: 15 }, (_, k) => ret[Math.max(0, t - k)]!);
    const rv = Math.sqrt(past.reduce((a, v) => a + v * v, 0) / 15);
    const five = past.slice(0, 5).reduce((a, v) => a + v, 0);
    X.set(
      [rv, atr, range / 2, -range / 2, ret[t]!, five, 2 * rv * Math.sqrt(20), -2 * rv * Math.sqrt(20)],
      t * F,
    );
    y[t] = ret[t + 1]!;
  }
  return datasetOf([...FEATURES], X, y);
}

const all = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

Deno.test("a σ learnt from range and ATR gives narrower intervals than realised volatility, at the same coverage", () => {
  const ds = market(5000);
  const folds = walkForwardFolds(ds.time, { folds: 5, embargoMs: 60_000 });
  const config = { kind: "ridge" as const, lambda: 1 };
  const report = intervalReport(ds, folds, config, walkForward(ds, folds, config), 1);
  assert(report.model.scale_model, "the card keeps the learnt scale");
  for (const l of report.overall) {
    assert(Math.abs(l.coverage - l.level) < 0.02, JSON.stringify(l));
    assert(Math.abs(l.naive_coverage - l.level) < 0.02, JSON.stringify(l));
    assert(l.width < 0.9 * l.naive_width, JSON.stringify(l));
  }
  for (const fold of report.folds) {
    for (const l of fold.levels) assert(Math.abs(l.coverage - l.level) < 0.04, JSON.stringify(fold));
  }
});

Deno.test("σ is homogeneous: every volatility twice as large gives twice the σ", () => {
  const ds = market(3000);
  const model = fitScale(ds, all(2000))!;
  const F = FEATURES.length;
  for (const i of [2100, 2500, 2999]) {
    const at = (k: number) => (name: string) => k * ds.X[i * F + FEATURES.indexOf(name)!]!;
    const one = scaleOf(model, at(1));
    for (const k of [2, 3.5]) assertAlmostEquals(scaleOf(model, at(k)), k * one, 1e-12 * k * one);
  }
});

Deno.test("a ratio beyond what training saw is clipped: σ stays finite and bounded", () => {
  const ds = market(3000);
  const model = fitScale(ds, all(3000))!;
  const t = model.terms.indexOf("atr");
  const base = { realized_vol_15: 0.001, high_rel: 0.001, low_rel: -0.001, log_return_1: 0.0005 };
  const f = (atr: number) => (name: string) =>
    ({ ...base, atr_rel: atr, log_return_5: 0.001, bb_upper_rel: 0.009, bb_lower_rel: -0.009 })[name] ?? 0;
  const edge = 0.001 * (Math.exp(model.hi[t]!) - 0.01);
  assertAlmostEquals(scaleOf(model, f(1000 * edge)), scaleOf(model, f(edge)), 1e-9);
  assert(Number.isFinite(scaleOf(model, f(0))) && scaleOf(model, f(0)) > 0);
});

Deno.test("the scale reads only the rows it is fitted on: later targets change nothing", () => {
  const ds = market(3000);
  const before = fitScale(ds, all(2000));
  for (let i = 2000; i < 3000; i++) ds.y[i] = ds.y[i]! * 50;
  assertEquals(fitScale(ds, all(2000)), before);
});

Deno.test("without the range features, or with few rows, σ is realised volatility alone", () => {
  const ds = market(3000);
  const only = { ...ds, features: ["realized_vol_15", "x"], X: ds.X.slice(0, 6000) };
  assertEquals(fitScale(only, all(3000)), null);
  assertEquals(fitScale(ds, all(99)), null);
  const sigma = rowScale(ds, null);
  assertEquals(sigma(7), ds.X[7 * FEATURES.length]!);
});

Deno.test("a card's scale model is checked before it serves: a fitted one passes, a damaged one says what is wrong", () => {
  const ds = market(1000);
  const model = fitScale(ds, all(1000))!;
  assertEquals(scaleModelProblem(model, FEATURES), null);
  assertEquals(
    scaleModelProblem(model, FEATURES.filter((f) => f !== "atr_rel")),
    "it reads features the model does not: atr_rel",
  );
  assertEquals(
    scaleModelProblem({ ...model, std: model.std.map(() => 0) }, FEATURES),
    "a deviation is not positive",
  );
  assertEquals(
    scaleModelProblem({ ...model, lo: model.hi.map((h) => h + 1) }, FEATURES),
    "a clip range is empty",
  );
  assertEquals(
    scaleModelProblem({ ...model, mean: [1, NaN, 2, 3, 4] }, FEATURES),
    "mean is not 5 finite numbers",
  );
  assertEquals(scaleModelProblem({ ...model, terms: ["atr", "atr"] }, FEATURES), "a term is repeated");
  assertEquals(scaleModelProblem("σ", FEATURES), "not an object");
});
