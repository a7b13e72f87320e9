/** Feature rows as CSV or JSONL lines, with the columns of DESIGN.md in a fixed order. */
import { FEATURE_COLUMNS, type FeatureRow } from "../domain/feature_row.ts";

export const CSV_HEADER: string = FEATURE_COLUMNS.join(",");

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  return String(v);
}

/** One CSV line (numbers in their shortest exact form, missing values empty). */
export function rowToCsv(row: FeatureRow): string {
  return FEATURE_COLUMNS.map((c) => cell(row[c])).join(",");
}

/** One JSON line with the columns in export order. */
export function rowToJson(row: FeatureRow): string {
  const out: Record<string, unknown> = {};
  for (const c of FEATURE_COLUMNS) out[c] = row[c] ?? null;
  return JSON.stringify(out);
}
