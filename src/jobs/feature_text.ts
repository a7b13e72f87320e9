/**
 * What `features export` writes and what `features tail` prints, from rows already read, a chunk
 * at a time. Pure: the callers write the text.
 */
import type { FeatureRow, FeatureRowWithNews } from "../domain/feature_row.ts";
import { isoTime } from "../domain/time.ts";
import { EXPORT_CSV_HEADER, exportCsv, exportJson } from "../stores/feature_export.ts";

/** The start of an export: the CSV header line, or nothing for JSONL. */
export function exportHeader(format: "csv" | "jsonl"): string {
  return format === "csv" ? EXPORT_CSV_HEADER + "\n" : "";
}

/** The lines of `rows`, each ending in a newline. */
export function exportLines(rows: readonly FeatureRowWithNews[], format: "csv" | "jsonl"): string {
  const line = format === "csv" ? exportCsv : exportJson;
  let text = "";
  for (const r of rows) text += line(r) + "\n";
  return text;
}

/** What an export has written: how many rows, and the first and last rows' window starts. */
export interface ExportSpan {
  rows: number;
  first: number | undefined;
  last: number | undefined;
}

/** The span of an export that has written no row yet. */
export const EMPTY_SPAN: ExportSpan = { rows: 0, first: undefined, last: undefined };

/** `span` with `rows` added after what it holds. */
export function extendSpan(span: ExportSpan, rows: readonly FeatureRow[]): ExportSpan {
  if (rows.length === 0) return span;
  return {
    rows: span.rows + rows.length,
    first: span.first ?? rows[0]!.window_start,
    last: rows.at(-1)!.window_start,
  };
}

/** The log line of an export: how many rows, their span and where they went (`-`: stdout). */
export function exportSummary(
  { rows, first, last }: ExportSpan,
  { pair, window, out }: { pair: string; window: string; out: string },
): string {
  const span = first !== undefined && last !== undefined ? ` (${isoTime(first)} .. ${isoTime(last)})` : "";
  return `${rows} ${pair} ${window} rows${span} written to ${out === "-" ? "stdout" : out}`;
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

/** The header line `tail` prints above its rows, ending in a newline. */
export const TAIL_HEADER: string = TAIL_COLUMNS.join("\t") + "\n";

/** A line per row, tab separated, each ending in a newline; fractions to four places, times in ISO 8601. */
export function tailText(rows: readonly FeatureRow[]): string {
  let text = "";
  for (const r of rows) {
    text += TAIL_COLUMNS.map((c) => {
      const v = r[c];
      if (c === "window_start") return isoTime(v as number);
      return typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : String(v ?? "");
    }).join("\t") + "\n";
  }
  return text;
}
