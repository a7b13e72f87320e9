/**
 * Feature rows as DuckDB data chunks, column vectors an appender takes without any SQL per row.
 * Values of the types a feature row declares (strings, safe integers in the BIGINT columns,
 * numbers including NaN and the infinities in the DOUBLE ones, booleans, null) go straight into
 * the vectors, converted as DuckDB converts them as parameters; anything else is left to the
 * caller, which binds it as a parameter so that DuckDB converts or refuses it.
 */
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBAppender,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBVector,
  VARCHAR,
} from "@duckdb/node-api";
import type { FeatureRow } from "../domain/feature_row.ts";
import { type SqlType, sqlType } from "./offline_schema.ts";

/** DuckDB's vector size: the most rows one data chunk holds. */
export const CHUNK_ROWS = 2048;

const VECTOR_TYPE: Record<SqlType, DuckDBType> = { VARCHAR, BIGINT, BOOLEAN, DOUBLE };
/** Refills of a chunk between resets. */
const REFILLS_PER_RESET = 64;

/**
 * A data chunk of some of the `features` columns, refilled for each slice of each batch (an
 * appender copies what it is given).
 */
export class RowChunk {
  readonly chunk: DuckDBDataChunk;
  #columns: readonly string[];
  #kinds: SqlType[];
  /**
   * The slice's values, column by column. They are read a row at a time, all of a row's fields
   * together, which runs about twice as fast as reading one field down every row.
   */
  #staged: unknown[][];
  #refills = 0;

  constructor(columns: readonly string[]) {
    this.#columns = columns;
    this.#kinds = columns.map(sqlType);
    this.chunk = DuckDBDataChunk.create(this.#kinds.map((k) => VECTOR_TYPE[k]));
    this.#staged = columns.map(() => new Array(CHUNK_ROWS));
  }

  /** Holds rows `from` to `to` of `rows` after this; false if a value needs DuckDB's conversion. */
  fill(rows: readonly FeatureRow[], from: number, to: number): boolean {
    const columns = this.#columns;
    const staged = this.#staged;
    const n = to - from;
    for (let k = 0; k < n; k++) {
      const row = rows[from + k] as unknown as Record<string, unknown>;
      for (let j = 0; j < columns.length; j++) (staged[j] as unknown[])[k] = row[columns[j] as string];
    }
    // Sizing a chunk drops the views of its vectors, and fetching 40-odd again is a noticeable
    // part of filling it, so a chunk refilled to the same size keeps them. It is reset now and
    // then all the same: strings longer than DuckDB inlines pile up in a vector until a reset.
    if (n !== this.chunk.rowCount || ++this.#refills === REFILLS_PER_RESET) {
      this.chunk.reset();
      this.chunk.rowCount = n;
      this.#refills = 0;
    }
    for (let j = 0; j < columns.length; j++) {
      const vector = this.chunk.getColumnVector(j);
      if (!fill(vector, this.#kinds[j] as SqlType, staged[j] as unknown[], n)) return false;
      vector.flush();
    }
    return true;
  }

  /**
   * Hands all of `rows` to `appender`, a chunk at a time; false, with the chunks before it already
   * handed over, at the first value that needs DuckDB's conversion.
   */
  appendAll(appender: DuckDBAppender, rows: readonly FeatureRow[]): boolean {
    for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
      if (!this.fill(rows, i, Math.min(i + CHUNK_ROWS, rows.length))) return false;
      appender.appendDataChunk(this.chunk);
    }
    return true;
  }
}

/** Writes the first `n` of `values` into `vector`; false at the first of a type the vector does not take. */
function fill(vector: DuckDBVector, kind: SqlType, values: readonly unknown[], n: number): boolean {
  switch (kind) {
    case "DOUBLE":
      for (let k = 0; k < n; k++) {
        const v = values[k];
        if (typeof v !== "number" && v !== null) return false;
        // -0 is kept as 0, as it always was: a whole number is bound as an INTEGER.
        vector.setItem(k, v === 0 ? 0 : v);
      }
      return true;
    case "BIGINT":
      for (let k = 0; k < n; k++) {
        const v = values[k];
        if (v === null) vector.setItem(k, null);
        else if (Number.isSafeInteger(v)) vector.setItem(k, BigInt(v as number));
        else return false;
      }
      return true;
    case "VARCHAR":
      for (let k = 0; k < n; k++) {
        const v = values[k];
        if (typeof v !== "string" && v !== null) return false;
        vector.setItem(k, v);
      }
      return true;
    case "BOOLEAN":
      for (let k = 0; k < n; k++) {
        const v = values[k];
        if (typeof v !== "boolean" && v !== null) return false;
        vector.setItem(k, v);
      }
      return true;
  }
}
