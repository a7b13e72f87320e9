/**
 * What `models list` prints for one model: its versions side by side with their held-out metrics
 * and promotion decision, the promoted one starred, and the net return of the latest backtest
 * beside buy-and-hold's when any version has one, and the model loop's live verdict on the versions
 * it ran in shadow. Pure: the caller prints the lines.
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
  /** Promoted once and since rolled back: no longer on the promotion stack. */
  rolledBack?: boolean;
  /** The model loop's verdict after running it in shadow (`live_decision.json`), if any. */
  live?:
    | {
      decision?: unknown;
      against?: unknown;
      vs_champion?: { pBetter?: unknown };
      vs_naive?: { pBetter?: unknown };
    }
    | null
    | undefined;
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
  "skill of drift",
  "p vs naive",
  "dir. acc.",
  "decision",
];

/**
 * The gate's decision, what the model loop made of a version that passed it as a challenger, and
 * what a human did since: promoted a rejected version by hand, or rolled a promoted one back.
 */
function decisionCell({ card, current, live, rolledBack }: VersionLine & { card: ModelCard }): string {
  if (!card.decision.promoted) {
    const rejected = `rejected: ${card.decision.reason}`;
    return current ? `promoted by hand; ${rejected}` : rolledBack ? `rolled back; ${rejected}` : rejected;
  }
  if (live?.decision === "retire") return "passed the gate, retired in shadow";
  if (card.decision.forced) {
    const forced = `forced by a drill: ${card.decision.reason}`;
    return rolledBack ? `${forced}; rolled back` : forced;
  }
  return rolledBack ? "promoted, then rolled back" : "promoted";
}

function cells(line: VersionLine): string[] {
  const { version, current, card } = line;
  if (card === undefined) return ["", version, "(incomplete)", "", "", "", "", "", "", "", "", ""];
  if (card.decision.forced) {
    // Its metrics are the champion's it copied: shown, they would pass for its own.
    const none = ["-", "-", "-", "-", "-", "-", "-", "-"];
    return [
      current ? "*" : "",
      version,
      card.created_at.slice(0, 16),
      ...none,
      decisionCell({ ...line, card }),
    ];
  }
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
    // What the training folds' median return alone scores: the share of the skill that is trend.
    card.overall.drift ? `${(card.overall.drift.skill * 100).toFixed(2)}%` : "-",
    !card.vs_naive ? "-" : card.vs_naive.p_value < 0.001 ? "< 0.001" : card.vs_naive.p_value.toFixed(3),
    m.directional_accuracy === null ? "-" : `${(m.directional_accuracy * 100).toFixed(1)}%`,
    decisionCell({ ...line, card }),
  ];
}

const LIVE_HEAD = "live (shadow)";

function liveCell(live: VersionLine["live"]): string {
  if (!live || (live.decision !== "promote" && live.decision !== "retire")) return "-";
  // The p-value of the test that decided, as the log and the reason give it: against naive while
  // naive served (the champion out of service), else against the champion.
  const p = Number((live.against === "naive" ? live.vs_naive : live.vs_champion)?.pBetter);
  const verdict = live.decision === "promote" ? "promoted" : "retired";
  return Number.isFinite(p) ? `${verdict} (p=${p.toPrecision(2)})` : verdict;
}

const BACKTEST_HEAD = "backtest net (B&H), costs";

/** The latest backtest's net return beside buy-and-hold's, and the costs (fee + slippage, bp a side) it paid. */
function backtestCell(b: BacktestReport | null | undefined): string {
  if (!b) return "-";
  const costs = b.costs ? `, ${b.costs.fee_bps}+${b.costs.slippage_bps} bp` : "";
  return `${signedPct(b.overall.model.net_return)} (${signedPct(b.overall.buy_and_hold.net_return)})${costs}`;
}

/**
 * A header line and a line per version, indented two spaces, in left-aligned columns; a backtest
 * column before the decision when a version has a backtest, and a live column when the loop judged one.
 */
export function versionsTable(versions: readonly VersionLine[]): string[] {
  const withBacktest = versions.some((v) => v.backtest);
  const withLive = versions.some((v) => v.live);
  const at = HEAD.length - 1;
  function insert(r: string[], backtest: string, live: string): string[] {
    const extra = [...(withBacktest ? [backtest] : []), ...(withLive ? [live] : [])];
    return [...r.slice(0, at), ...extra, ...r.slice(at)];
  }
  const head = insert(HEAD, BACKTEST_HEAD, LIVE_HEAD);
  const rows = [
    head,
    ...versions.map((v) =>
      insert(cells(v), v.card ? backtestCell(v.backtest) : "", v.card ? liveCell(v.live) : "")
    ),
  ];
  const widths = head.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => "  " + r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
}
