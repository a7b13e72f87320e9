import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { baggedShrink, chooseBlend, chooseSetting, SHRINK_GRID } from "../../src/model/blend.ts";
import type { Dataset } from "../../src/model/dataset.ts";
import { fitRun } from "../../src/model/fit_run.ts";
import { describe, fitModel, modelSummary, settingOf, type SingleConfig } from "../../src/model/models.ts";
import {
  candidates,
  type Scored,
  scoredThrough,
  searchScored,
  validationPredictions,
} from "../../src/model/search.ts";
import { takeRows } from "../../src/model/dataset.ts";
import { fitOn } from "../../src/model/evaluate.ts";
import { intervalReport } from "../../src/model/conformal.ts";
import { walkForwardFolds } from "../../src/model/folds.ts";
import { seededRandom } from "../../src/util/random.ts";

const ridge = (lambda: number): SingleConfig => ({ kind: "ridge", lambda });

/** A search result over `n` validation rows whose trials predicted `preds[k]`, with scores from them. */
function scored(y: Float64Array, preds: Float64Array[]): Scored {
  const rows = Uint32Array.from(y, (_, i) => i);
  const score = (p: Float64Array) => p.reduce((a, v, i) => a + Math.abs(v - y[i]!), 0) / y.length;
  return {
    trials: preds.map((p, k) => ({ config: ridge(k + 1), score: score(p) })),
    rows,
    predictions: preds,
    splits: [{ fold: 1, end: y.length }],
  };
}

function noise(n: number, seed: number, scale = 1e-3): Float64Array {
  const r = seededRandom(seed);
  return Float64Array.from({ length: n }, () => scale * (r() - 0.5));
}

Deno.test("a forecast twice the size of what happens is shrunk to half on the validation rows", () => {
  const y = noise(400, 1);
  const best = chooseBlend(scored(y, [y.map((v) => 2 * v)]), y, 1);
  assertEquals(best.config.shrink, 0.5);
  assertAlmostEquals(best.score, 0, 1e-15);
});

Deno.test("a forecast with the wrong sign is shrunk to nothing, which scores as naive", () => {
  const y = noise(400, 2);
  const best = chooseBlend(scored(y, [y.map((v) => -v)]), y, 1);
  assertEquals(best.config.shrink, 0);
  assertAlmostEquals(best.score, y.reduce((a, v) => a + Math.abs(v), 0) / y.length, 1e-15);
});

Deno.test("an exact forecast keeps its full size", () => {
  const y = noise(400, 3);
  assertEquals(chooseBlend(scored(y, [y.slice()]), y, 1).config.shrink, 1);
});

/** The factor of the grid minimising the MAE on the rows themselves, as a single draw sees it. */
function plainShrink(pred: Float64Array, y: Float64Array): number {
  const mae = (s: number) => pred.reduce((a, p, k) => a + Math.abs(s * p - y[k]!), 0);
  return SHRINK_GRID.reduce((best, s) => (mae(s) < mae(best) ? s : best), 0);
}

/** 80 validation rows of a weak forecast: a tenth of its size is what happens, beside noise. */
function weakForecast(seed: number): { pred: Float64Array; y: Float64Array; rows: Uint32Array } {
  const pred = noise(80, seed), e = noise(80, seed + 1000, 1e-2);
  return { pred, y: pred.map((p, k) => 0.1 * p + e[k]!), rows: Uint32Array.from(pred, (_, k) => k) };
}

Deno.test("on a few rows of a weak forecast the bagged factor varies less from draw to draw than the rows' own best", () => {
  const bagged: number[] = [], plain: number[] = [];
  for (let seed = 1; seed <= 40; seed++) {
    const { pred, y, rows } = weakForecast(seed);
    bagged.push(baggedShrink(pred, y, rows));
    plain.push(plainShrink(pred, y));
  }
  const sd = (x: number[]) => {
    const m = x.reduce((a, v) => a + v, 0) / x.length;
    return Math.sqrt(x.reduce((a, v) => a + (v - m) ** 2, 0) / x.length);
  };
  // The rows' own best jumps between the ends of the grid; the bagged mean does not.
  assert(plain.filter((s) => s === 0 || s === 1).length > 20, JSON.stringify(plain));
  assert(sd(bagged) < 0.75 * sd(plain), `bagged sd ${sd(bagged)}, plain sd ${sd(plain)}`);
  assert(bagged.some((s) => s > 0 && s < 1));
});

Deno.test("the bagged factor is seeded, in [0, 1], and its blocks are at least the horizon long", () => {
  const { pred, y, rows } = weakForecast(7);
  const once = baggedShrink(pred, y, rows);
  assertEquals(baggedShrink(pred, y, rows), once);
  assertEquals(once, 0.2975); // a mean of 200 grid steps of 0.05, exact
  // 80 rows are blocks of 4 (80^(1/3) ≈ 4.3): a horizon up to 4 changes nothing; at 10 the blocks are 10 rows.
  assertEquals(baggedShrink(pred, y, rows, 4), once);
  assert(baggedShrink(pred, y, rows, 10) !== once);
  // Past 80 / 8 rows a block would leave fewer than 8 to draw from, so a horizon of 40 draws blocks of 10 too.
  assertEquals(baggedShrink(pred, y, rows, 40), baggedShrink(pred, y, rows, 10));
});

Deno.test("the bagged factor of a forecast of no change is 0, and no rows are an error", () => {
  const { y, rows } = weakForecast(8);
  assertEquals(baggedShrink(new Float64Array(80), y, rows), 0);
  assertThrows(
    () => baggedShrink(new Float64Array(0), y, new Uint32Array(0)),
    RangeError,
    "no validation rows",
  );
});

Deno.test("blocks do not straddle two folds' validation rows", () => {
  const { pred, y, rows } = weakForecast(9);
  // Cut where the blocks of 4 would not be: each fold's rows are blocks of their own.
  assert(baggedShrink(pred, y, rows, 1, [10, 80]) !== baggedShrink(pred, y, rows, 1, [80]));
  assertEquals(baggedShrink(pred, y, rows, 1, [8, 80]), baggedShrink(pred, y, rows, 1, [80]));
});

Deno.test("a blend averages the best trials in the search's order and is scored on their mean", () => {
  const y = noise(300, 4);
  // Two trials whose errors cancel in their mean, a third that is pure noise.
  const e = noise(300, 5);
  const s = scored(y, [y.map((v, i) => v + e[i]!), y.map((v, i) => v - e[i]!), noise(300, 6)]);
  const best = chooseBlend(s, y, 2);
  assertEquals(best.config.members, [ridge(1), ridge(2)]);
  assertEquals(best.config.shrink, 1);
  assertAlmostEquals(best.score, 0, 1e-15);
  assert(best.score < s.trials[0]!.score);
  assertEquals(chooseBlend(s, y).config.members.length, 3);
});

Deno.test("a blend predicts its shrink times the mean of its members' predictions", () => {
  const F = 2, n = 120;
  const r = seededRandom(7);
  // The third column stands for the volatility the prediction intervals are scaled by.
  const X = Float64Array.from({ length: n * F }, (_, k) => k % F === 2 ? 1e-3 : r() - 0.5);
  const y = Float64Array.from({ length: n }, (_, i) => 1e-3 * X[i * F]! + 1e-4 * (r() - 0.5));
  const members: SingleConfig[] = [ridge(1e-3), { kind: "gbdt", params: { rounds: 20, seed: 1 } }];
  const a = fitModel(members[0]!, X, y, n, F).predict(X, n);
  const b = fitModel(members[1]!, X, y, n, F).predict(X, n);
  const blend = fitModel({ kind: "blend", members, shrink: 0.6 }, X, y, n, F).predict(X, n);
  for (let i = 0; i < n; i++) assertAlmostEquals(blend[i]!, 0.6 * (a[i]! + b[i]!) / 2, 1e-15);
});

Deno.test("a blend with no members or a shrink outside [0, 1] is refused, naming the parameter", () => {
  const X = new Float64Array(4), y = new Float64Array(2);
  assertThrows(() => fitModel({ kind: "blend", members: [], shrink: 1 }, X, y, 2, 2), RangeError, "member");
  assertThrows(
    () => fitModel({ kind: "blend", members: [ridge(1)], shrink: 1.5 }, X, y, 2, 2),
    RangeError,
    "shrink",
  );
});

Deno.test("a card's blend setting is fitted again without the rounds its final fit kept, and reads as a summary", () => {
  const recorded = {
    kind: "blend" as const,
    shrink: 0.75,
    members: [{ kind: "gbdt" as const, params: { rounds: 300 }, rounds: 42 }, {
      ...ridge(1),
      rounds: undefined,
    }],
  };
  assertEquals(settingOf(recorded), {
    kind: "blend",
    shrink: 0.75,
    members: [{ kind: "gbdt", params: { rounds: 300 } }, ridge(1)],
  });
  assertEquals(modelSummary(recorded), "0.75 × (gbdt 42 trees, ridge λ=1.0)");
  // Past three members, the counts: a table row stays a row.
  const many = { ...recorded, members: [...recorded.members, ...recorded.members, recorded.members[0]!] };
  assertEquals(modelSummary(many), "0.75 × mean of 5 (3 gbdt, 126 trees; 2 ridge)");
});

Deno.test("with one member and no shrink the setting is the search's best, as a single model", () => {
  const y = noise(200, 8);
  const s = scored(y, [y.map((v) => 0.5 * v), y.map((v) => -v)]);
  assertEquals(chooseSetting(s, y, 1, "off"), s.trials[0]);
  assertEquals(chooseBlend(s, y, 2, "off").config.shrink, 1);
});

function dataset(n: number, flipFrom = n): Dataset {
  const F = 3, r = seededRandom(9);
  // The third column stands for the volatility the prediction intervals are scaled by.
  const X = Float64Array.from({ length: n * F }, (_, k) => k % F === 2 ? 1e-3 : r() - 0.5);
  const y = Float64Array.from(
    { length: n },
    (_, i) => (i < flipFrom ? 1 : -1) * 1e-3 * X[i * F]! + 1e-3 * (r() - 0.5),
  );
  const close = new Float64Array(n).fill(100);
  return {
    pair: "BTC/USD",
    window: "1m",
    horizon: 1,
    features: ["a", "b", "realized_vol_15"],
    X,
    y,
    close,
    targetClose: close.map((c, i) => c * Math.exp(y[i]!)),
    sma: close,
    time: Float64Array.from({ length: n }, (_, i) => i * 60_000),
    n,
    range: { from: 0, to: (n - 1) * 60_000 },
    hash: "",
  };
}

Deno.test("train bags the shrink factor in blocks of at least the horizon", () => {
  const base = dataset(1200);
  // A weak relation, so the resamples disagree and the block length shows in the factor.
  const r = seededRandom(12);
  const y = base.y.map((_, i) => 1e-4 * base.X[i * 3]! + 1e-3 * (r() - 0.5));
  const ds = { ...base, horizon: 30, y, targetClose: base.close.map((c, i) => c * Math.exp(y[i]!)) };
  const run = fitRun({ ds, choice: "ridge", folds: 4, budget: 4, seed: 1, promoted: null });
  const folds = walkForwardFolds(ds.time, { folds: 4, embargoMs: 30 * 60_000 });
  const scored = searchScored(ds, folds, candidates("ridge", 4, 1), 30);
  assert(run.best.config.kind === "blend");
  assertEquals(run.best.config.shrink, chooseBlend(scored, ds.y, 20, "auto", 30).config.shrink);
  assert(run.best.config.shrink !== chooseBlend(scored, ds.y, 20, "auto", 1).config.shrink);
});

Deno.test("the blend and its shrink are chosen without the test folds: other targets there change nothing", () => {
  const n = 800, folds = 3;
  const run = (ds: Dataset) => fitRun({ ds, choice: "ridge", folds, budget: 4, seed: 1, promoted: null });
  const honest = run(dataset(n));
  // The last test block is 1/(folds + 1) of the rows; its relation turned upside down.
  const flipped = run(dataset(n, n - Math.floor(n / (folds + 1))));
  assertEquals(flipped.best, honest.best);
  assert(flipped.evaluation.folds.at(-1)!.model.skill < 0 && honest.evaluation.folds.at(-1)!.model.skill > 0);
});

Deno.test("each fold's setting is chosen before its test rows: targets from fold 2's test block on leave fold 1 as it was", () => {
  const n = 1200, folds = 5;
  const run = (ds: Dataset) => fitRun({ ds, choice: "ridge", folds, budget: 4, seed: 1, promoted: null });
  const honest = run(dataset(n));
  // From fold 2's test block on, the relation is upside down: later folds' validation rows see it.
  const flipped = run(dataset(n, 2 * Math.floor(n / (folds + 1))));
  assertEquals(flipped.settings[0], honest.settings[0]);
  assertEquals(flipped.evaluation.folds[0], honest.evaluation.folds[0]);
  assert(honest.evaluation.folds[0]!.model.skill > 0, JSON.stringify(honest.evaluation.folds[0]));
  // The served setting is chosen on every fold's validation rows, so it does see the flip.
  assert(flipped.best.config.kind === "blend" && honest.best.config.kind === "blend");
  assert(flipped.best.config.shrink < honest.best.config.shrink, `${flipped.best.config.shrink}`);
  // The last fold's setting is the served one.
  assertEquals(honest.settings.at(-1), honest.best);
  assertEquals(honest.evaluation.folds.map((f) => f.setting), honest.settings.map((s) => s.config));
});

Deno.test("scoredThrough keeps the validation rows of folds up to one and ranks the trials on them alone", () => {
  const y = noise(300, 11);
  // Trial 1 is right on the first 100 rows (fold 1) and wrong after; trial 2 the other way round.
  const good1 = y.map((v, i) => (i < 100 ? v : -v)), good2 = y.map((v, i) => (i < 100 ? -v : v));
  const s: Scored = {
    ...scored(y, [good2, good1]),
    splits: [{ fold: 1, end: 100 }, { fold: 2, end: 180 }, { fold: 3, end: 300 }],
  };
  assertEquals(s.trials[0]!.config, ridge(1)); // trial "good2" wins on all rows
  const first = scoredThrough(s, 1, y)!;
  assertEquals([first.rows.length, first.trials[0]!.config], [100, ridge(2)]);
  assertEquals(first.predictions[0], good1.subarray(0, 100));
  assertAlmostEquals(first.trials[0]!.score, 0, 1e-15);
  assertEquals(scoredThrough(s, 2, y)!.rows.length, 180);
  assertEquals(scoredThrough(s, 3, y)!.trials.map((t) => t.config), s.trials.map((t) => t.config));
  assertEquals(scoredThrough({ ...s, splits: s.splits.slice(1) }, 1, y), null);
});

Deno.test("a fold too short to score any setting before it predicts no change", () => {
  // 5 folds of 300 rows: fold 1 trains on 50 rows, too few to split into fit and validation rows.
  const run = fitRun({ ds: dataset(300), choice: "ridge", folds: 5, budget: 4, seed: 1, promoted: null });
  const first = run.settings[0]!.config;
  assert(first.kind === "blend" && first.shrink === 0, JSON.stringify(first));
  assertEquals(run.evaluation.folds[0]!.model.skill, 0);
  assert(run.settings.slice(1).every((s) => !Number.isNaN(s.score)));
});

Deno.test("the intervals' calibration reuses the search's validation predictions, to the last bit", () => {
  const ds = dataset(1200);
  const folds = walkForwardFolds(ds.time, { folds: 4, embargoMs: 60_000 });
  const scored = searchScored(ds, folds, candidates("auto", 6, 2), 1);
  const blend = chooseBlend(scored, ds.y, 3);
  for (const setting of [blend.config, scored.trials[1]!.config]) {
    for (const fold of folds) {
      const known = validationPredictions(scored, fold.index, setting)!;
      const cut = Math.floor(fold.train.length * 0.8);
      const fit = fold.train.subarray(0, cut - 1), valid = fold.train.subarray(cut);
      assertEquals(known.rows, valid);
      const F = ds.features.length;
      assertEquals(
        known.predictions,
        fitOn(ds, fit, setting).predict(takeRows(ds.X, F, valid), valid.length),
      );
    }
  }
  // A setting that is not the search's, or a fold it did not score, has none.
  assertEquals(validationPredictions(scored, 1, ridge(123)), null);
  assertEquals(validationPredictions(scored, 9, blend.config), null);
});

Deno.test("train's intervals are the same as with each fold's calibration model fitted again", () => {
  const ds = dataset(1200);
  const run = fitRun({ ds, choice: "auto", folds: 4, budget: 6, seed: 3, promoted: null });
  const refitted = intervalReport(ds, run.folds, run.settings.map((s) => s.config), run.evaluation, 1);
  assertEquals(run.intervals, refitted);
});

Deno.test("a blend of many settings is described by its shrink and the kinds it averages", () => {
  const gbdt: SingleConfig = { kind: "gbdt", params: { loss: "l1", maxDepth: 3 } };
  const many = { kind: "blend" as const, members: [gbdt, gbdt, ridge(1), gbdt, ridge(10)], shrink: 0.35 };
  assertEquals(describe(many), "0.35 × mean of 5 settings (3 gbdt, 2 ridge)");
  assertEquals(
    describe({ ...many, members: [ridge(1), ridge(2), ridge(3), ridge(4)] }),
    "0.35 × mean of 4 settings (4 ridge)",
  );
  assertEquals(
    describe({ ...many, members: [ridge(1), ridge(10)] }),
    "0.35 × mean of ridge(lambda=1.00), ridge(lambda=10.0)",
  );
  // A small factor that is not 0 is a forecast, and says so; 0 is none.
  assertEquals(describe({ ...many, shrink: 0.0005 }), "0.0005 × mean of 5 settings (3 gbdt, 2 ridge)");
  assertEquals(modelSummary({ ...many, shrink: 0.0005 }).split(" ×")[0], "0.0005");
  assertEquals(describe({ ...many, shrink: 0 }), "0.00 × mean of 5 settings (3 gbdt, 2 ridge)");
});
