/**
 * What `features export` writes and what `features tail` prints, from rows already read. Pure:
 * the callers write the text.
 */
import type { FeatureRow, FeatureRowWithNews } from "../domain/feature_row.ts";
import { isoTime } from "../domain/time.ts";
import { EXPORT_CSV_HEADER, exportCsv, exportJson } from "../stores/feature_export.ts";

/** The export file: a line per row (CSV after its header), each ending in a newline. */
export function exportText(rows: readonly FeatureRowWithNews[], format: "csv" | "jsonl"): string {
  const lines = format === "csv" ? [EXPORT_CSV_HEADER, ...rows.map(exportCsv)] : rows.map(exportJson);
  return lines.join("\n") + (lines.length ? "\n" : "");
}

/** The log line of an export: how many rows, their span and where they went (`-`: stdout). */
export function exportSummary(
  rows: readonly FeatureRow[],
  { pair, window, out }: { pair: string; window: string; out: string },
): string {
  const span = rows.length
    ? ` (${isoTime(rows[0]!.window_start)} .. ${isoTime(rows.at(-1)!.window_start)})`
    : "";
  return `${rows.length} ${pair} ${window} rows${span} written to ${out === "-" ? "stdout" : out}`;
}

const TAIL_COLUMNS = [
  "window_start",
  "open",
  "high",
  "low",
  "close",
  "volume",
  "trades",
  "rsi_14",
  "macd_hist",
  "warm",
] as const;

/** A header line and a line per row, tab separated; fractions to four places, times in ISO 8601. */
export function tailLines(rows: readonly FeatureRow[]): string[] {
  return [
    TAIL_COLUMNS.join("\t"),
    ...rows.map((r) =>
      TAIL_COLUMNS.map((c) => {
        const v = r[c];
        if (c === "window_start") return isoTime(v as number);
        return typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : String(v ?? "");
      }).join("\t")
    ),
  ];
}
