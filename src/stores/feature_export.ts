/** Feature rows as CSV or JSONL lines, with the columns of DESIGN.md in a fixed order. */
import {
  FEATURE_COLUMNS,
  type FeatureRow,
  type FeatureRowWithNews,
  MARKET_NEWS_COLUMNS,
  NEWS_COLUMNS,
} from "../domain/feature_row.ts";

export const CSV_HEADER: string = FEATURE_COLUMNS.join(",");

/**
 * The columns `features export` writes: the technical features, then the news columns of the
 * pair's coin and the market's, every input a model reads.
 */
export const EXPORT_COLUMNS = [...FEATURE_COLUMNS, ...NEWS_COLUMNS, ...MARKET_NEWS_COLUMNS] as const;
export const EXPORT_CSV_HEADER: string = EXPORT_COLUMNS.join(",");

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  return String(v);
}

/** One CSV line (numbers in their shortest exact form, missing values empty). */
export function rowToCsv(row: FeatureRow): string {
  return FEATURE_COLUMNS.map((c) => cell(row[c])).join(",");
}

/** An exported row (features and news) as a CSV line. */
export function exportCsv(row: FeatureRowWithNews): string {
  return EXPORT_COLUMNS.map((c) => cell(row[c])).join(",");
}

/** An exported row as a JSON line. */
export function exportJson(row: FeatureRowWithNews): string {
  const out: Record<string, unknown> = {};
  for (const c of EXPORT_COLUMNS) out[c] = row[c] ?? null;
  return JSON.stringify(out);
}
