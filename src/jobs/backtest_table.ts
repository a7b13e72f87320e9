/**
 * What `backtest` prints on stdout: per fold and over all, the model's rule beside buy-and-hold
 * and momentum; or, for `--json`, the report itself. Pure: the caller prints it.
 */
import type { BacktestReport, RuleSet, RuleStats } from "../model/backtest.ts";

const HEAD = [
  "fold",
  "from",
  "to",
  "θ bp",
  "rule",
  "net",
  "Sharpe",
  "max DD",
  "trades",
  "hit",
  "exposure",
  "turnover",
];
const LEFT = 5;

const RULES: [keyof RuleSet, string][] = [["model", "model"], ["buy_and_hold", "buy & hold"], [
  "momentum",
  "momentum",
]];

/** A signed percentage: `+1.23%`. */
export const signedPct = (x: number): string => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(2)}%`;
const pct = (x: number | null) => (x === null ? "-" : `${(x * 100).toFixed(1)}%`);

function cells(s: RuleStats): string[] {
  return [
    signedPct(s.net_return),
    s.sharpe === null ? "-" : s.sharpe.toFixed(2),
    pct(s.max_drawdown),
    String(s.trades),
    pct(s.hit_rate),
    pct(s.exposure),
    s.turnover.toFixed(0),
  ];
}

function block(label: string, from: string, to: string, theta: string, set: RuleSet): string[][] {
  return RULES.map(([key, name], k) =>
    k === 0
      ? [label, from.slice(0, 16), to.slice(0, 16), theta, name, ...cells(set[key])]
      : ["", "", "", "", name, ...cells(set[key])]
  );
}

/** Three lines (model, buy & hold, momentum) per fold and over all, in aligned columns. */
export function backtestTable(r: BacktestReport): string {
  const rows = [
    HEAD,
    ...r.folds.flatMap((f) => block(String(f.fold), f.from, f.to, f.threshold_bps.toFixed(1), f)),
    ...block("all", r.folds[0]?.from ?? "", r.folds.at(-1)?.to ?? "", "", r.overall),
  ];
  const widths = HEAD.map((_, c) => Math.max(...rows.map((x) => x[c]!.length)));
  return rows.map((x) =>
    x.map((cell, c) => (c < LEFT ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ").trimEnd()
  ).join("\n");
}

/** The text `backtest` prints: the report as JSON, or the table and what was replayed. */
export function backtestText(r: BacktestReport, json: boolean): string {
  if (json) return JSON.stringify(r, null, 2);
  const threshold = r.threshold === "auto" ? "auto (per fold, on earlier folds)" : `${r.threshold} bp`;
  return [
    `${r.name} ${r.version ?? "(train's choice)"}: ${r.model}`,
    `costs per side: fee ${r.costs.fee_bps} bp, slippage ${r.costs.slippage_bps} bp; threshold ${threshold}` +
    (r.long_only ? "; long only" : ""),
    backtestTable(r),
  ].join("\n");
}
