/**
 * What `models list` prints for one model: its versions side by side with their held-out metrics
 * and promotion decision, the promoted one starred, and the net return of the latest backtest
 * beside buy-and-hold's when any version has one. Pure: the caller prints the lines.
 */
import type { ModelCard } from "../domain/model_card.ts";
import type { BacktestReport } from "../model/backtest.ts";
import { modelSummary } from "../model/models.ts";
import { signedPct } from "./backtest_table.ts";

export interface VersionLine {
  version: string;
  /** Whether it is the promoted version. */
  current: boolean;
  /** Its card; none when the version's directory is incomplete. */
  card: ModelCard | undefined;
  /** Its stored backtest, if any. */
  backtest?: BacktestReport | null | undefined;
}

const HEAD = [
  "",
  "version",
  "created",
  "model",
  "rows",
  "MAE",
  "naive MAE",
  "skill",
  "dir. acc.",
  "decision",
];

function cells({ version, current, card }: VersionLine): string[] {
  if (card === undefined) return ["", version, "(incomplete)", "", "", "", "", "", "", ""];
  const m = card.overall.model, n = card.overall.naive;
  return [
    current ? "*" : "",
    version,
    card.created_at.slice(0, 16),
    modelSummary(card.model),
    String(card.data.rows),
    m.mae.toFixed(4),
    n.mae.toFixed(4),
    `${(m.skill * 100).toFixed(2)}%`,
    m.directional_accuracy === null ? "-" : `${(m.directional_accuracy * 100).toFixed(1)}%`,
    card.decision.promoted ? "promoted" : `rejected: ${card.decision.reason}`,
  ];
}

const BACKTEST_HEAD = "backtest net (B&H)";

function backtestCell(b: BacktestReport | null | undefined): string {
  if (!b) return "-";
  return `${signedPct(b.overall.model.net_return)} (${signedPct(b.overall.buy_and_hold.net_return)})`;
}

/**
 * A header line and a line per version, indented two spaces, in left-aligned columns; a backtest
 * column before the decision when a version has a backtest.
 */
export function versionsTable(versions: readonly VersionLine[]): string[] {
  const withBacktest = versions.some((v) => v.backtest);
  const at = HEAD.length - 1;
  function insert(r: string[], cell: string): string[] {
    return withBacktest ? [...r.slice(0, at), cell, ...r.slice(at)] : r;
  }
  const head = insert(HEAD, BACKTEST_HEAD);
  const rows = [head, ...versions.map((v) => insert(cells(v), v.card ? backtestCell(v.backtest) : ""))];
  const widths = head.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => "  " + r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
}
