/**
 * What `train` prints on stdout: the per-fold table of the walk-forward evaluation (model beside
 * the naive, SMA and drift baselines), the model chosen and the promotion decision; or, for
 * `--json`, the report itself. Pure: the caller prints it.
 */
import type { IntervalModel, IntervalReport, LevelReport } from "../model/conformal.ts";
import type { VsNaive } from "../model/evaluate.ts";
import type { Importance } from "../model/importance.ts";
import type { PriceMetrics } from "../model/metrics.ts";
import type { TrainReport } from "../registry/train_and_register.ts";

const HEAD = [
  "fold",
  "test rows",
  "test from",
  "test to",
  "MAE model",
  "MAE naive",
  "MAE sma",
  "MAE drift",
  "skill",
  "skill of drift",
  "dir. acc.",
  "on calls",
];

const pct = (x: number | null) => (x === null ? "-" : `${(x * 100).toFixed(1)}%`);
// Skills differ in hundredths of a percent, so they get one more digit than accuracies.
const skillPct = (x: number) => `${(x * 100).toFixed(2)}%`;
const money = (x: number) => x.toFixed(x < 10 ? 4 : 2);

/** Direction on the moves the model made a call on, and on what share of the moves it made one. */
function onCalls(m: PriceMetrics): string {
  if (m.calls === undefined || m.calls === null || !m.call_accuracy) return "-";
  return `${pct(m.call_accuracy)} of ${(m.calls * 100).toFixed(0)}%`;
}

function row(
  label: string,
  rows: number,
  from: string,
  to: string,
  m: PriceMetrics,
  n: PriceMetrics,
  s: PriceMetrics,
  d: PriceMetrics,
): string[] {
  return [
    label,
    String(rows),
    from.slice(0, 16),
    to.slice(0, 16),
    money(m.mae),
    money(n.mae),
    money(s.mae),
    money(d.mae),
    skillPct(m.skill),
    skillPct(d.skill),
    pct(m.directional_accuracy),
    onCalls(m),
  ];
}

/**
 * A row per test fold and an `all` row over every fold, in aligned columns: the labels and times
 * left-aligned, the numbers right-aligned. `r` has at least one fold.
 */
export function trainTable(r: TrainReport): string {
  const rows = [
    HEAD,
    ...r.folds.map((f) =>
      row(String(f.fold), f.test_rows, f.test_from, f.test_to, f.model, f.naive, f.sma, f.drift)
    ),
    row(
      "all",
      r.folds.reduce((a, f) => a + f.test_rows, 0),
      r.folds[0]!.test_from,
      r.folds.at(-1)!.test_to,
      r.model,
      r.naive,
      r.sma,
      r.drift,
    ),
  ];
  const widths = HEAD.map((_, c) => Math.max(...rows.map((x) => x[c]!.length)));
  return rows.map((x) =>
    x.map((cell, c) => (c < 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")
  ).join("\n");
}

const INTERVAL_HEAD = [
  "fold",
  "calibration",
  "cover 80%",
  "width 80%",
  "naive",
  "cover 95%",
  "width 95%",
  "naive",
];
const bps = (x: number) => `${(x * 10_000).toFixed(1)} bp`;

/**
 * The prediction intervals per test fold and over all: coverage and mean width (in basis points of
 * the close) at each level, beside the naive-volatility interval's width at the same level.
 */
export function intervalTable(r: IntervalReport): string {
  const cells = (levels: LevelReport[]) =>
    levels.flatMap((l) => [pct(l.coverage), bps(l.width), bps(l.naive_width)]);
  const rows = [
    INTERVAL_HEAD,
    ...r.folds.map((f) => [String(f.fold), String(f.calibration_rows), ...cells(f.levels)]),
    ["all", String(r.model.calibration_rows), ...cells(r.overall)],
  ];
  const widths = INTERVAL_HEAD.map((_, c) => Math.max(...rows.map((x) => x[c]!.length)));
  return rows.map((x) =>
    x.map((cell, c) => (c < 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")
  )
    .join("\n");
}

/** What the intervals' σ is: realised volatility alone, or times the multiplier learnt with its weights. */
export function scaleLine(model: IntervalModel): string {
  const m = model.scale_model;
  if (!m) return "interval σ: realised volatility";
  const terms = m.terms.map((t, k) =>
    `${t} ${m.weights[k]! >= 0 ? "+" : "−"}${Math.abs(m.weights[k]!).toFixed(2)}`
  );
  return `interval σ: realised volatility × exp(Σ weight × standardised log ratio to it): ${
    terms.join(", ")
  }`;
}

/**
 * Whether the lead over a baseline could be luck, in words a reader can act on: the mean difference
 * of absolute errors, the Diebold–Mariano statistic and its one-sided p-value.
 */
export function vsBaselineLine(v: VsNaive, horizon: number, baseline: "naive" | "drift" = "naive"): string {
  const diff = `${v.mae_diff <= 0 ? "−" : "+"}${money(Math.abs(v.mae_diff))}`;
  const t = `${v.dm_statistic < 0 ? "−" : ""}${Math.abs(v.dm_statistic).toFixed(2)}`;
  const p = v.p_value < 0.001 ? "< 0.001" : `= ${v.p_value.toFixed(3)}`;
  const reading = v.mae_diff >= 0
    ? `not ahead of ${baseline}`
    : v.p_value < 0.05
    ? `ahead of ${baseline} beyond chance at 5%`
    : `ahead of ${baseline}, but within what chance gives`;
  return `vs ${baseline}: MAE ${diff} a row (model − ${baseline}), Diebold–Mariano t = ${t}, one-sided p ${p} ` +
    `over ${v.n} test rows (horizon ${horizon}): ${reading}`;
}

/** The inputs that matter most, with their share (and sign, for ridge). */
export function importanceLine(imp: Importance, top = 8): string {
  const items = imp.features.slice(0, top).map((f) =>
    `${f.name} ${(f.share * 100).toFixed(1)}%` +
    (f.coefficient === undefined
      ? ""
      : ` (${f.coefficient >= 0 ? "+" : "−"}${Math.abs(f.coefficient).toExponential(1)})`)
  );
  return `importance (${imp.method}): ${items.join(", ")}`;
}

/** The text `train` prints: the report as JSON, or the tables, the model and the decision. */
export function trainReportText(r: TrainReport, json: boolean): string {
  if (json) return JSON.stringify(r, null, 2);
  return [
    trainTable(r),
    vsBaselineLine(r.vs_naive, r.horizon),
    vsBaselineLine(r.vs_drift, r.horizon, "drift"),
    `prediction intervals (conformal, volatility-scaled; "naive" is the width of a naive-volatility interval):`,
    intervalTable(r.intervals),
    scaleLine(r.intervals.model),
    importanceLine(r.importance),
    `model: ${r.model.name}`,
    `${r.promoted ? "PROMOTED" : "NOT PROMOTED"} ${r.name} ${r.version}: ${r.reason}`,
  ].join("\n");
}
