import { assertEquals } from "../assert.ts";
import type { PriceMetrics } from "../../src/model/metrics.ts";
import type { TrainReport } from "../../src/registry/train_and_register.ts";
import {
  importanceLine,
  intervalTable,
  scaleLine,
  trainReportText,
  trainTable,
  vsBaselineLine,
} from "../../src/jobs/train_table.ts";

const metrics = (mae: number, skill: number, dir: number | null): PriceMetrics => ({
  n: 50,
  mae,
  rmse: mae,
  mae_return: mae / 50_000,
  directional_accuracy: dir,
  skill,
});

const level = (l: number) => ({
  level: l,
  coverage: l + 0.005,
  width: l / 100,
  naive_coverage: l - 0.01,
  naive_width: l / 90,
});

const report: TrainReport = {
  name: "btc-usd_1m_h1",
  pair: "BTC/USD",
  window: "1m",
  horizon: 1,
  rows: 300,
  features: ["rsi_14"],
  data: { from: "2024-03-01T00:00:00.000Z", to: "2024-03-01T04:59:00.000Z", hash: "0" },
  folds: [
    {
      fold: 1,
      train_rows: 150,
      test_rows: 50,
      test_from: "2024-03-01T02:30:00.000Z",
      test_to: "2024-03-01T03:19:00.000Z",
      setting: "ridge(lambda=10.0)",
      // Right on half the moves: on 62.5% of the 80% it made a call on.
      model: { ...metrics(12.5, 0.05, 0.5), calls: 0.8, call_accuracy: 0.625 },
      naive: metrics(13.25, 0, 0),
      sma: metrics(14, -0.05, 0.4),
      drift: metrics(13, 0.0189, 0.52),
    },
    {
      fold: 2,
      train_rows: 200,
      test_rows: 100,
      test_from: "2024-03-01T03:20:00.000Z",
      test_to: "2024-03-01T04:59:00.000Z",
      setting: "ridge(lambda=1.00)",
      model: metrics(8.5, -0.1, null),
      naive: metrics(9, 0, 0),
      sma: metrics(9.5, -0.2, 0.45),
      drift: metrics(9.25, -0.0278, 0.48),
    },
  ],
  naive: metrics(11, 0, 0),
  sma: metrics(12, -0.1, 0.43),
  drift: metrics(10.5, 0.0455, 0.5),
  model: { name: "ridge λ=1.0", config: { kind: "ridge", lambda: 1 }, ...metrics(10, 0.125, 0.55) },
  vs_naive: { n: 150, mae_diff: -1, dm_statistic: -2.5, p_value: 0.0068 },
  vs_drift: { n: 150, mae_diff: -0.5, dm_statistic: -1.1, p_value: 0.137 },
  intervals: {
    model: { scale: "realized_vol_15", floor: 1e-4, q: { "0.8": 1.3, "0.95": 2.1 }, calibration_rows: 150 },
    folds: [1, 2].map((fold) => ({ fold, calibration_rows: 40 * fold, levels: [level(0.8), level(0.95)] })),
    overall: [level(0.8), level(0.95)],
  },
  importance: {
    method: "standardised coefficients",
    features: [
      { name: "rsi_14", share: 0.75, coefficient: -0.00042 },
      { name: "log_return_1", share: 0.25, coefficient: 0.00014 },
    ],
  },
  promoted: false,
  passed: false,
  version: "v0002",
  reason: "does not beat the promoted v0001",
};

Deno.test("the train table has a row per fold and an `all` row spanning every test fold", () => {
  const lines = trainTable(report).split("\n");
  assertEquals(lines.map((l) => l.split(/\s{2,}/)[0]), ["fold", "1", "2", "all"]);
  assertEquals(lines[3]!.split(/\s{2,}/).slice(1, 4), ["150", "2024-03-01T02:30", "2024-03-01T04:59"]);
});

Deno.test("the train table aligns labels and times left and numbers right, prices to cents from 10 up", () => {
  assertEquals(
    trainTable(report),
    [
      "fold  test rows  test from         test to           MAE model  MAE naive  MAE sma  MAE drift    skill  skill of drift  dir. acc.      on calls",
      "1     50         2024-03-01T02:30  2024-03-01T03:19      12.50      13.25    14.00      13.00    5.00%           1.89%      50.0%  62.5% of 80%",
      "2     100        2024-03-01T03:20  2024-03-01T04:59     8.5000     9.0000   9.5000     9.2500  -10.00%          -2.78%          -             -",
      "all   150        2024-03-01T02:30  2024-03-01T04:59      10.00      11.00    12.00      10.50   12.50%           4.55%      55.0%             -",
    ].join("\n"),
  );
});

Deno.test("train prints the table, the model and the decision, or with --json only the report", () => {
  const text = trainReportText(report, false).split("\n");
  assertEquals(text.slice(-2), [
    "model: ridge λ=1.0",
    "NOT PROMOTED btc-usd_1m_h1 v0002: does not beat the promoted v0001",
  ]);
  assertEquals(JSON.parse(trainReportText(report, true)), report);
  assertEquals(
    trainReportText({ ...report, promoted: true }, false).split("\n").at(-1)!.split(" ")[0],
    "PROMOTED",
  );
});

Deno.test("train says whether the lead over naive could be luck, from the Diebold–Mariano test", () => {
  assertEquals(
    trainReportText(report, false).split("\n")[4],
    "vs naive: MAE −1.0000 a row (model − naive), Diebold–Mariano t = −2.50, one-sided p = 0.007 " +
      "over 150 test rows (horizon 1): ahead of naive beyond chance at 5%",
  );
  const weak = { n: 2000, mae_diff: -0.0178, dm_statistic: -0.92, p_value: 0.178 };
  assertEquals(
    vsBaselineLine(weak, 5),
    "vs naive: MAE −0.0178 a row (model − naive), Diebold–Mariano t = −0.92, one-sided p = 0.178 " +
      "over 2000 test rows (horizon 5): ahead of naive, but within what chance gives",
  );
  const behind = { n: 2000, mae_diff: 0.5, dm_statistic: 3.1, p_value: 0.999 };
  assertEquals(vsBaselineLine(behind, 1).split(": ").at(-1), "not ahead of naive");
  assertEquals(
    vsBaselineLine({ ...weak, p_value: 1e-6 }, 1).split("one-sided p ")[1]!.slice(0, 7),
    "< 0.001",
  );
});

Deno.test("train says, the same way, whether the model is ahead of the drift baseline", () => {
  assertEquals(
    trainReportText(report, false).split("\n")[5],
    "vs drift: MAE −0.5000 a row (model − drift), Diebold–Mariano t = −1.10, one-sided p = 0.137 " +
      "over 150 test rows (horizon 1): ahead of drift, but within what chance gives",
  );
  const behind = { n: 2000, mae_diff: 0.02, dm_statistic: 0.4, p_value: 0.66 };
  assertEquals(vsBaselineLine(behind, 5, "drift").split(": ").at(-1), "not ahead of drift");
});

Deno.test("train prints each fold's interval coverage and width beside the naive-volatility width", () => {
  const lines = intervalTable(report.intervals).split("\n");
  assertEquals(lines.map((l) => l.trim().split(/\s{2,}/)), [
    ["fold", "calibration", "cover 80%", "width 80%", "naive", "cover 95%", "width 95%", "naive"],
    ["1", "40", "80.5%", "80.0 bp", "88.9 bp", "95.5%", "95.0 bp", "105.6 bp"],
    ["2", "80", "80.5%", "80.0 bp", "88.9 bp", "95.5%", "95.0 bp", "105.6 bp"],
    ["all", "150", "80.5%", "80.0 bp", "88.9 bp", "95.5%", "95.0 bp", "105.6 bp"],
  ]);
});

Deno.test("train says what the intervals' σ is: realised volatility alone, or times a learnt multiplier", () => {
  assertEquals(scaleLine(report.intervals.model), "interval σ: realised volatility");
  const scale_model = {
    base_floor: 1e-5,
    terms: ["atr", "range"],
    mean: [0, 0],
    std: [1, 1],
    weights: [0.241, -0.05],
    lo: [-1, -1],
    hi: [1, 1],
  };
  assertEquals(
    scaleLine({ ...report.intervals.model, scale_model }),
    "interval σ: realised volatility × exp(Σ weight × standardised log ratio to it): atr +0.24, range −0.05",
  );
  assertEquals(trainReportText(report, false).split("\n").at(-4), scaleLine(report.intervals.model));
});

Deno.test("train names the inputs that matter most, with their share and, for ridge, their sign", () => {
  assertEquals(
    importanceLine(report.importance),
    "importance (standardised coefficients): rsi_14 75.0% (−4.2e-4), log_return_1 25.0% (+1.4e-4)",
  );
  assertEquals(trainReportText(report, false).split("\n").at(-3), importanceLine(report.importance));
});
