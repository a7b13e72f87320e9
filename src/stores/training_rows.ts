/**
 * Training rows as the offline store's training join returns them, from a DuckDB row object or
 * from the CSV file `exportTrainingRows` writes (so a Worker can build the training set without the
 * store: the rows are turned into objects off the serving thread). Pure.
 */
import { OTHER_PAIR_COLUMNS, type TrainingRow } from "../domain/feature_row.ts";
import { COLUMNS, JOINED_NEWS_COLUMNS, sqlType, toRow } from "./offline_schema.ts";

const num = (v: unknown) => (v === null || v === undefined || v === "" ? null : Number(v));

/** A training row from the join's row object (`others` in the order the join aliased them `o0`, `o1`…). */
export function trainingRowOf(r: Record<string, unknown>, others: readonly string[]): TrainingRow {
  const row = toRow(r) as TrainingRow;
  for (const c of JOINED_NEWS_COLUMNS) row[c] = num(r[c]);
  row.target_close = Number(r.target_close);
  row.others = {};
  others.forEach((o, i) => {
    for (const c of OTHER_PAIR_COLUMNS) row.others[`${o}:${c}`] = num(r[`o${i}:${c}`]);
  });
  return row;
}

/** The rows of an exported CSV file (a header, then one line per row; an empty field is NULL). */
export function trainingRowsFromCsv(text: string, others: readonly string[]): TrainingRow[] {
  const lines = text.split("\n");
  const header = lines[0]!.split(",").map((h) => h.replace(/^"|"$/g, ""));
  const types = header.map((h) => ((COLUMNS as readonly string[]).includes(h) ? sqlType(h) : "DOUBLE"));
  const rows: TrainingRow[] = [];
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k]!;
    if (line.length === 0) continue;
    // Values are numbers, booleans and the pair and window names: no field holds a comma or a quote.
    const cells = line.split(",");
    const r: Record<string, unknown> = {};
    header.forEach((h, i) => {
      const v = cells[i] ?? "";
      const t = types[i];
      r[h] = t === "VARCHAR" ? v.replace(/^"|"$/g, "") : t === "BOOLEAN" ? v === "true" : num(v);
    });
    rows.push(trainingRowOf(r, others));
  }
  return rows;
}
