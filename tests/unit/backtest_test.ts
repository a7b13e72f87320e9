/**
 * The backtest's rule, fills, costs and figures on candles small enough to work out by hand, and
 * its look-ahead checks: a prediction timestamped after its decision is refused, and fills never
 * read a price from before the decision.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import {
  backtest,
  type BacktestCandle,
  type BacktestOptions,
  type FoldPredictions,
  LookAheadError,
} from "../../src/model/backtest.ts";
import { ruleStats, type Run } from "../../src/model/trade_replay.ts";

const W = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const BIG = 0.05;
const SMALL = 0.01;

/** Candles with these opens; each closes at the next one's open unless `closes` says otherwise. */
function candles(opens: number[], closes: number[] = []): BacktestCandle[] {
  return opens.map((open, i) => ({
    window_start: T0 + i * W,
    open,
    close: closes[i] ?? opens[i + 1] ?? open,
  }));
}

/** Fold `fold` deciding at the close of candles `first`, `first + 1`, ... on these predictions. */
function fold(fold: number, first: number, logReturns: number[]): FoldPredictions {
  return {
    fold,
    trained_through: T0 - 10 * W,
    predictions: logReturns.map((log_return, k) => {
      const decision_at = T0 + (first + k + 1) * W;
      return { made_at: decision_at, decision_at, log_return };
    }),
  };
}

function options(over: Partial<BacktestOptions> = {}): BacktestOptions {
  return { windowMs: W, horizon: 1, feeBps: 0, slippageBps: 0, threshold: 0, longOnly: false, ...over };
}

Deno.test("a long fills at the next candle's open, is closed at the open after, and pays the fee on both sides", () => {
  const r = backtest([fold(1, 0, [BIG])], candles([100, 100, 110, 200]), options({ feeBps: 100 }));
  const m = r.overall.model;
  assertAlmostEquals(m.net_return, (110 * 0.99) / (100 * 1.01) - 1, 1e-12);
  assertEquals([m.candles, m.trades, m.hit_rate, m.exposure, m.turnover], [1, 1, 1, 1, 2]);
});

Deno.test("slippage moves every fill against the trade: buys above the open, sells below it", () => {
  const long = backtest([fold(1, 0, [BIG])], candles([100, 100, 110, 200]), options({ slippageBps: 100 }));
  assertAlmostEquals(long.overall.model.net_return, (110 * 0.99) / (100 * 1.01) - 1, 1e-12);
  // A short sells at 100·0.99 and buys back at 90·1.01.
  const short = backtest([fold(1, 0, [-BIG])], candles([100, 100, 90, 50]), options({ slippageBps: 100 }));
  assertAlmostEquals(short.overall.model.net_return, 1 - (90 * 1.01) / (100 * 0.99), 1e-12);
  const free = backtest([fold(1, 0, [-BIG])], candles([100, 100, 90, 50]), options());
  assertAlmostEquals(free.overall.model.net_return, 0.1, 1e-12);
});

Deno.test("a flip from long to short pays two sides, and each position counts as a trade", () => {
  const r = backtest([fold(1, 0, [BIG, -BIG])], candles([100, 100, 110, 99, 50]), options({ feeBps: 100 }));
  const long = (110 * 0.99) / (100 * 1.01);
  // The short sells the whole equity at 110 (keeping 2 − fee of it in cash) and buys back at 99.
  const short = 2 - 0.01 - (99 * 1.01) / 110;
  const m = r.overall.model;
  assertAlmostEquals(m.net_return, long * short - 1, 1e-12);
  assertEquals([m.trades, m.hit_rate, m.turnover, m.exposure], [2, 1, 4, 1]);
});

Deno.test("below the threshold after costs the rule stays flat", () => {
  // 26 + 2 bps per side: a predicted 0.5% does not cover the round trip's 0.56%.
  const costly = options({ feeBps: 26, slippageBps: 2 });
  const flat =
    backtest([fold(1, 0, [0.005, -0.005])], candles([100, 100, 110, 99, 50]), costly).overall.model;
  assertEquals(flat, {
    candles: 2,
    net_return: 0,
    sharpe: null,
    max_drawdown: 0,
    trades: 0,
    hit_rate: null,
    exposure: 0,
    turnover: 0,
  });
  // A covered 1% trades; a 1% above a 50 bps threshold after costs does not.
  const covered = backtest([fold(1, 0, [0.01])], candles([100, 100, 110, 99]), costly).overall.model;
  assertEquals(covered.trades, 1);
  const above = backtest([fold(1, 0, [0.01])], candles([100, 100, 110, 99]), { ...costly, threshold: 50 });
  assertEquals([above.overall.model.trades, above.folds[0]!.threshold_bps], [0, 50]);
});

Deno.test("long-only never shorts: the model and momentum stay flat where they would sell", () => {
  const c = candles([100, 100, 110, 99, 108.9, 50]);
  const both = backtest([fold(1, 0, [-BIG, -BIG, -BIG])], c, options());
  assertEquals(both.overall.model.exposure, 1);
  const longOnly = backtest([fold(1, 0, [-BIG, -BIG, -BIG])], c, options({ longOnly: true }));
  assertEquals([longOnly.overall.model.trades, longOnly.overall.model.net_return], [0, 0]);
  assertEquals(longOnly.overall.momentum.trades, 1);
  assertAlmostEquals(longOnly.overall.momentum.net_return, -0.1, 1e-12);
});

Deno.test("buy-and-hold and momentum are figured on the same candles at the same costs", () => {
  // Opens 100, 100, 110, 99, 108.9, 50; decisions at the closes of the first three candles.
  const c = candles([100, 100, 110, 99, 108.9, 50]);
  const r = backtest([fold(1, 0, [0, 0, 0])], c, options());
  const bh = r.overall.buy_and_hold;
  assertAlmostEquals(bh.net_return, 1.1 * 0.9 * 1.1 - 1, 1e-12);
  assertEquals([bh.trades, bh.turnover, bh.exposure], [1, 2, 1]);
  assertAlmostEquals(bh.max_drawdown, 0.1, 1e-12);
  // Momentum: flat (no earlier close), long after 100 → 110 (−10%), short after 110 → 99 (−10%).
  const mom = r.overall.momentum;
  assertAlmostEquals(mom.net_return, 0.9 * 0.9 - 1, 1e-12);
  assertEquals([mom.trades, mom.hit_rate, mom.turnover], [2, 0, 4]);
  assertAlmostEquals(mom.exposure, 2 / 3, 1e-12);
  assertAlmostEquals(mom.max_drawdown, 0.19, 1e-12);
  // The model predicted no change: it never trades.
  assertEquals(r.overall.model.trades, 0);

  const fee = backtest([fold(1, 0, [0, 0, 0])], c, options({ feeBps: 100 })).overall.buy_and_hold;
  assertAlmostEquals(fee.net_return, ((108.9 * 0.99) / (100 * 1.01)) - 1, 1e-12);
});

Deno.test("max drawdown is the largest fall from a running peak of the equity", () => {
  // Long all along: 100 → 120 → 90 → 110 → 80: the peak 120 falls to 80.
  const r = backtest([fold(1, 0, [BIG, BIG, BIG, BIG])], candles([100, 100, 120, 90, 110, 80]), options());
  assertAlmostEquals(r.overall.model.max_drawdown, 1 - 80 / 120, 1e-12);
});

Deno.test("Sharpe is the per-candle mean over standard deviation, annualised by the window length", () => {
  // Buy-and-hold returns +10%, −10%, +10%: mean 1/30, sample standard deviation 1/√75.
  const c = candles([100, 100, 110, 99, 108.9, 50]);
  const per = Math.sqrt(75) / 30;
  const m1 = backtest([fold(1, 0, [0, 0, 0])], c, options()).overall.buy_and_hold;
  assertAlmostEquals(m1.sharpe!, per * Math.sqrt(365 * 24 * 60), 1e-9);
  const five = c.map((k, i) => ({ ...k, window_start: T0 + i * 5 * W }));
  const f5 = {
    ...fold(1, 0, [0, 0, 0]),
    predictions: [0, 1, 2].map((i) => ({
      made_at: T0 + (i + 1) * 5 * W,
      decision_at: T0 + (i + 1) * 5 * W,
      log_return: 0,
    })),
  };
  const m5 = backtest([f5], five, options({ windowMs: 5 * W })).overall.buy_and_hold;
  assertAlmostEquals(m5.sharpe!, per * Math.sqrt(365 * 24 * 12), 1e-9);
});

Deno.test("per-fold figures come from the candles decided in each fold and compound to the overall", () => {
  const c = candles([100, 100, 110, 99, 108.9, 50]);
  const r = backtest([fold(1, 0, [0, 0]), fold(2, 2, [0])], c, options());
  const [a, b] = r.folds.map((f) => f.buy_and_hold);
  assertAlmostEquals(a!.net_return, 0.99 - 1, 1e-12);
  assertAlmostEquals(b!.net_return, 0.1, 1e-12);
  assertAlmostEquals((1 + a!.net_return) * (1 + b!.net_return) - 1, r.overall.buy_and_hold.net_return, 1e-12);
  assertEquals(r.folds.map((f) => [f.fold, f.decisions, f.from, f.to]), [
    [1, 2, T0 + W, T0 + 2 * W],
    [2, 1, T0 + 3 * W, T0 + 3 * W],
  ]);
});

/**
 * Fold 1 decides at candles 0..4 on small, big, small, big, small predicted rises; prices fall after
 * the small ones and rise after the big ones, so trading only the big ones (θ = the small edge)
 * earns most. Fold 2 decides from candle 5 on. `after` is the open of candle 6, the first price
 * after fold 2's first decision.
 */
function twoFolds(after: number) {
  const opens = [100, 100, 99, 104, 103, 108, after, after, after, after];
  return {
    folds: [fold(1, 0, [SMALL, BIG, SMALL, BIG, SMALL]), fold(2, 5, [SMALL, BIG, SMALL])],
    candles: candles(opens),
  };
}

Deno.test("auto threshold: fold 1 trades on costs alone, later folds use the θ that earned most on earlier folds", () => {
  const { folds, candles: c } = twoFolds(108);
  const r = backtest(folds, c, options({ threshold: "auto" }));
  assertEquals(r.folds[0]!.threshold_bps, 0);
  assertAlmostEquals(r.folds[1]!.threshold_bps, (Math.exp(SMALL) - 1) * 1e4, 1e-9);
  // Fold 1 at θ = 0 trades every prediction; fold 2 at the chosen θ only the big one.
  assertEquals(r.folds[0]!.model.exposure, 1);
  assertEquals(r.folds[1]!.model.trades, 1);
});

Deno.test("auto threshold: prices after a fold's first decision cannot change the fold's θ", () => {
  // A jump to 130 right after fold 2's first decision would make θ = 0 the best on fold 1 if the
  // last fold-1 position (closed at that price) were counted; it is not, so the choice stays.
  const calm = backtest(twoFolds(108).folds, twoFolds(108).candles, options({ threshold: "auto" }));
  const jump = backtest(twoFolds(130).folds, twoFolds(130).candles, options({ threshold: "auto" }));
  assertEquals(jump.folds.map((f) => f.threshold_bps), calm.folds.map((f) => f.threshold_bps));
});

Deno.test("look-ahead: a planted future-return predictor, timestamped when the return is known, is refused", () => {
  const c = candles([100, 101, 99, 103, 102, 104]);
  // It "predicts" each candle's next close exactly, which it can only know a candle later.
  const planted: FoldPredictions = {
    fold: 1,
    trained_through: T0 - 10 * W,
    predictions: [0, 1, 2, 3].map((i) => ({
      made_at: T0 + (i + 2) * W,
      decision_at: T0 + (i + 1) * W,
      log_return: Math.log(c[i + 1]!.close / c[i]!.close),
    })),
  };
  assertThrows(() => backtest([planted], c, options()), LookAheadError, "before it existed");
  // Only the timestamps differ from a predictor the backtest accepts.
  const honest = {
    ...planted,
    predictions: planted.predictions.map((p) => ({ ...p, made_at: p.decision_at })),
  };
  assert(backtest([honest], c, options()).overall.model.net_return > 0);
});

Deno.test("look-ahead: a fold whose model was fitted on a target not yet closed at its first decision is refused", () => {
  const c = candles([100, 101, 99, 103, 102, 104]);
  const f = fold(1, 2, [BIG]);
  // Decision at the close of candle 2 (T0 + 3W); a last training row at candle 2 has a target
  // closing at T0 + 4W.
  assertThrows(
    () => backtest([{ ...f, trained_through: T0 + 2 * W }], c, options()),
    LookAheadError,
    "not out of sample",
  );
  // Trained through candle 1: its target closed with candle 2, at the decision. Accepted.
  assertEquals(backtest([{ ...f, trained_through: T0 + W }], c, options()).overall.model.trades, 1);
  // A time that is not a number proves nothing, so it is refused too.
  assertThrows(
    () => backtest([{ ...f, trained_through: NaN }], c, options()),
    LookAheadError,
    "not out of sample",
  );
  const undated = { ...f, predictions: f.predictions.map((p) => ({ ...p, made_at: NaN })) };
  assertThrows(() => backtest([undated], c, options()), LookAheadError, "before it existed");
});

Deno.test("fills use only prices after the decision: prices up to the decided candle's close do not move the result", () => {
  // One long, decided at the close of candle 2: filled at candle 3's open, closed at candle 4's.
  const opens = [100, 101, 99, 103, 107, 90];
  const run = (o: number[], closes: number[] = []) =>
    backtest([fold(1, 2, [BIG])], candles(o, closes), options({ feeBps: 26, slippageBps: 2 }))
      .overall.model.net_return;
  const base = run(opens);
  assertAlmostEquals(base, (107 * 0.9998 * 0.9974) / (103 * 1.0002 * 1.0026) - 1, 1e-12);
  // Every price at or before the decision changed, the decided candle's close included.
  assertEquals(run([1, 2, 3, 103, 107, 90], [5, 6, 70]), base);
  // The fill's own open does move it.
  assert(run([100, 101, 99, 104, 107, 90]) !== base);
});

Deno.test("bad input is refused with a clear error", () => {
  const c = candles([100, 101, 99, 103]);
  assertThrows(() => backtest([fold(1, 0, [0]), fold(1, 1, [0])], c, options()), RangeError, "increasing");
  assertThrows(() => backtest([fold(1, 1, [0]), fold(2, 0, [0])], c, options()), RangeError, "time order");
  assertThrows(() => backtest([fold(1, 0, [NaN])], c, options()), RangeError, "not a number");
  assertThrows(() => backtest([fold(1, 0, [0])], c, options({ feeBps: -1 })), RangeError, "feeBps");
  assertThrows(
    () => backtest([fold(1, 0, [0])], [...c, { window_start: T0, open: 1, close: 1 }], options()),
    RangeError,
    "time order",
  );
});

Deno.test("the equity curves follow each rule fill by fill and end at its net return", () => {
  const c = candles([100, 100, 110, 99, 108.9, 50]);
  const r = backtest([fold(1, 0, [0, 0, 0])], c, options());
  assertEquals(r.equity.at, [T0 + W, T0 + 2 * W, T0 + 3 * W]);
  assertEquals(r.equity.model, [1, 1, 1]);
  assertAlmostEquals(r.equity.buy_and_hold[0]!, 1.1, 1e-7);
  assertAlmostEquals(r.equity.buy_and_hold[1]!, 1.1 * 0.9, 1e-7);
  for (const rule of ["model", "buy_and_hold", "momentum"] as const) {
    assertAlmostEquals(r.equity[rule].at(-1)!, 1 + r.overall[rule].net_return, 1e-7);
  }
});

Deno.test("a step across a gap in the candles counts its windows in the Sharpe ratio and the exposure", () => {
  const rets = [0.004, -0.001, 0.003, 0.002, -0.002, 0.001];
  const run = (ms: number, position: -1 | 0 | 1 = 1): Run => ({
    steps: rets.map((ret, i) => ({
      at: T0 + i * ms,
      fold: 1,
      position: i % 3 ? position : 0,
      ret,
      sides: 0,
      ms,
    })),
    trades: [],
  });
  // Every step two windows long reads as one-window steps of a window twice as long.
  const two = ruleStats(run(2 * W), W), asTwo = ruleStats(run(2 * W), 2 * W);
  assertAlmostEquals(two.sharpe!, asTwo.sharpe!, 1e-9);
  assertAlmostEquals(two.exposure, asTwo.exposure, 1e-12);
  // Without gaps, the usual figures: mean over standard deviation, times √(windows in a year).
  const one = ruleStats(run(W), W);
  const mean = rets.reduce((a, b) => a + b) / rets.length;
  const sd = Math.sqrt(rets.reduce((a, r) => a + (r - mean) ** 2, 0) / (rets.length - 1));
  assertAlmostEquals(one.sharpe!, (mean / sd) * Math.sqrt((365 * 86_400_000) / W), 1e-9);
  assertEquals(one.exposure, 4 / 6);
  // One day-long step: the day weighs as a day, so the ratio falls.
  const gapped = run(W);
  gapped.steps[2] = { ...gapped.steps[2]!, ms: 1440 * W };
  assert(
    Math.abs(ruleStats(gapped, W).sharpe!) < Math.abs(one.sharpe!) / 5,
    `${ruleStats(gapped, W).sharpe}`,
  );
});
