/**
 * What `models list` prints for one model: its versions side by side with their held-out metrics
 * and promotion decision, the promoted one starred. Pure: the caller prints the lines.
 */
import type { ModelCard } from "../domain/model_card.ts";

export interface VersionLine {
  version: string;
  /** Whether it is the promoted version. */
  current: boolean;
  /** Its card; none when the version's directory is incomplete. */
  card: ModelCard | undefined;
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
    card.model.kind === "ridge"
      ? `ridge λ=${card.model.lambda.toPrecision(2)}`
      : `gbdt ${card.model.rounds} trees`,
    String(card.data.rows),
    m.mae.toFixed(4),
    n.mae.toFixed(4),
    `${(m.skill * 100).toFixed(2)}%`,
    m.directional_accuracy === null ? "-" : `${(m.directional_accuracy * 100).toFixed(1)}%`,
    card.decision.promoted ? "promoted" : `rejected: ${card.decision.reason}`,
  ];
}

/** A header line and a line per version, indented two spaces, in left-aligned columns. */
export function versionsTable(versions: readonly VersionLine[]): string[] {
  const rows = [HEAD, ...versions.map(cells)];
  const widths = HEAD.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => "  " + r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
}
