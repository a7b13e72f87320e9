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

/**
 * A reader of the data lines of an exported CSV file with this `header` line (an empty field is
 * NULL). Values are numbers, booleans and the pair and window names: no field holds a comma or a quote.
 */
export function csvRowReader(header: string, others: readonly string[]): (line: string) => TrainingRow {
  const names = header.split(",").map((h) => h.replace(/^"|"$/g, ""));
  const types = names.map((h) => ((COLUMNS as readonly string[]).includes(h) ? sqlType(h) : "DOUBLE"));
  return (line) => {
    const cells = line.split(",");
    const r: Record<string, unknown> = {};
    names.forEach((h, i) => {
      const v = cells[i] ?? "";
      const t = types[i];
      r[h] = t === "VARCHAR" ? v.replace(/^"|"$/g, "") : t === "BOOLEAN" ? v === "true" : num(v);
    });
    return trainingRowOf(r, others);
  };
}
