/**
 * The offline store on DuckDB: every feature row, in an embedded file in the data dir; the query
 * engine for training. Upserts are `INSERT OR REPLACE` on the primary key (pair, window,
 * window_start), so replaying the same history leaves one identical row per key.
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Window } from "../domain/candle.ts";
import { CANDLE_COLUMNS, type FeatureRow, INDICATOR_COLUMNS } from "../domain/feature_row.ts";
import type { FeatureHistory } from "./feature_store.ts";

const COLUMNS = [...CANDLE_COLUMNS, ...INDICATOR_COLUMNS, "warm"] as const;
const SQL_TYPE: Record<string, string> = {
  pair: "VARCHAR",
  window: "VARCHAR",
  window_start: "BIGINT",
  window_end: "BIGINT",
  trades: "BIGINT",
  warm: "BOOLEAN",
};
const BATCH = 200;

function quote(name: string): string {
  return `"${name}"`;
}

export class DuckDbFeatureStore implements FeatureHistory {
  #db: DuckDBInstance;
  #conn: DuckDBConnection;

  private constructor(db: DuckDBInstance, conn: DuckDBConnection) {
    this.#db = db;
    this.#conn = conn;
  }

  /**
   * Opens (creating if needed) the store file at `path`, or `:memory:`. Read-only opens let
   * several readers share the file, but not with a writer.
   */
  static async open(path: string, { readOnly = false } = {}): Promise<DuckDbFeatureStore> {
    let db: DuckDBInstance;
    try {
      if (readOnly) await Deno.stat(path);
      db = await DuckDBInstance.create(path, readOnly ? { access_mode: "READ_ONLY" } : {});
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new Error(`there is no offline store at ${path} yet: run ingest or backfill first`);
      }
      const msg = (e as Error).message;
      if (/lock/i.test(msg)) {
        throw new Error(`the offline store ${path} is open in another process (a running ingest?): ${msg}`);
      }
      throw new Error(`cannot open the offline store ${path}: ${msg}`, { cause: e });
    }
    const conn = await db.connect();
    if (readOnly) return new DuckDbFeatureStore(db, conn);
    const columns = COLUMNS.map((c) => `${quote(c)} ${SQL_TYPE[c] ?? "DOUBLE"}`).join(", ");
    await conn.run(
      `CREATE TABLE IF NOT EXISTS features (${columns}, PRIMARY KEY (pair, "window", window_start))`,
    );
    return new DuckDbFeatureStore(db, conn);
  }

  async upsert(rows: readonly FeatureRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      const values: (string | number | boolean | null)[] = [];
      const tuples = batch.map((row) => {
        const start = values.length;
        for (const c of COLUMNS) values.push(row[c] as string | number | boolean | null);
        return `(${COLUMNS.map((_, j) => `$${start + j + 1}`).join(", ")})`;
      });
      await this.#conn.run(`INSERT OR REPLACE INTO features VALUES ${tuples.join(", ")}`, values);
    }
  }

  async #select(
    where: string,
    params: (string | number)[],
    order: string,
    limit?: number,
  ): Promise<FeatureRow[]> {
    const sql = `SELECT * FROM features WHERE ${where} ORDER BY window_start ${order}${
      limit ? ` LIMIT ${limit}` : ""
    }`;
    const reader = await this.#conn.runAndReadAll(sql, params);
    return reader.getRowObjectsJS().map(toRow);
  }

  async latest(pair: string, window: Window): Promise<FeatureRow | null> {
    return (await this.#select(`pair = $1 AND "window" = $2`, [pair, window], "DESC", 1))[0] ?? null;
  }

  async asOf(pair: string, window: Window, t: number): Promise<FeatureRow | null> {
    return (await this.#select(
      `pair = $1 AND "window" = $2 AND window_end <= $3`,
      [pair, window, t],
      "DESC",
      1,
    ))[0] ??
      null;
  }

  async range(pair: string, window: Window, from = -8.64e15, to = 8.64e15): Promise<FeatureRow[]> {
    return await this.#select(
      `pair = $1 AND "window" = $2 AND window_start >= $3 AND window_start < $4`,
      [pair, window, from, to],
      "ASC",
    );
  }

  async tail(pair: string, window: Window, n: number): Promise<FeatureRow[]> {
    return (await this.#select(`pair = $1 AND "window" = $2`, [pair, window], "DESC", n)).reverse();
  }

  async counts(): Promise<{ pair: string; window: Window; rows: number; first: number; last: number }[]> {
    const reader = await this.#conn.runAndReadAll(
      `SELECT pair, "window", count(*) AS n, min(window_start) AS first, max(window_start) AS last
       FROM features GROUP BY pair, "window" ORDER BY pair, "window"`,
    );
    return reader.getRowObjectsJS().map((r) => ({
      pair: String(r.pair),
      window: String(r.window) as Window,
      rows: Number(r.n),
      first: Number(r.first),
      last: Number(r.last),
    }));
  }

  close(): void {
    this.#conn.closeSync();
    this.#db.closeSync();
  }
}

function toRow(r: Record<string, unknown>): FeatureRow {
  const row: Record<string, unknown> = {};
  for (const c of COLUMNS) {
    const v = r[c];
    row[c] = typeof v === "bigint" ? Number(v) : v ?? null;
  }
  return row as unknown as FeatureRow;
}
