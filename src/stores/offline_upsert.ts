/**
 * How the offline store writes a batch of feature rows: in one transaction, the rows whose keys
 * are in the batch are deleted and the batch's rows (the last of each key) appended as DuckDB
 * data chunks (./offline_chunk.ts), column vectors with no SQL per row. Replacing by key this way
 * leaves what `INSERT OR REPLACE` left, one row per key, at a fraction of its cost (and of binding
 * every value as a parameter), and the batch lands whole or not at all.
 *
 * A slice of rows with a value the vectors do not take (a numeric string, undefined, a fractional
 * time) is bound as parameters instead, so DuckDB converts it, or refuses it with its own
 * message, as it always has.
 */
import type { DuckDBAppender, DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import type { FeatureRow } from "../domain/feature_row.ts";
import { CHUNK_ROWS, RowChunk } from "./offline_chunk.ts";
import { BATCH_KEYS, COLUMNS, deleteBatchKeys } from "./offline_schema.ts";

/** Rows per INSERT when values are bound as parameters. */
const BOUND_ROWS = 200;

const KEY_COLUMNS = ["pair", "window", "window_start"] as const;

type Values = Record<string, unknown>;

/**
 * Writes feature rows through its own connection (it holds the batch-keys table and the
 * transaction of the batch being written), one batch at a time, in call order.
 *
 * @example
 * ```ts
 * const writer = new FeatureWriter(await db.connect());
 * await writer.upsert(rows);
 * writer.close();
 * ```
 */
export class FeatureWriter {
  #conn: DuckDBConnection;
  #appenders: { keys: DuckDBAppender; rows: DuckDBAppender } | undefined;
  #chunks: { keys: RowChunk; rows: RowChunk } | undefined;
  /**
   * The newest stored window start of each series, read once and then kept up to date: this
   * connection is the only one that writes features, and DuckDB lets one process at a time open
   * the file for writing.
   */
  #newest: Starts | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(conn: DuckDBConnection) {
    this.#conn = conn;
  }

  /**
   * Inserts or replaces `rows` by key, all of them or (on an error) none; of rows sharing a key
   * the last is kept. Calls made while one runs wait for it.
   */
  upsert(rows: readonly FeatureRow[]): Promise<void> {
    if (rows.length === 0) return this.#queue;
    const run = this.#queue.then(() => this.#upsert(rows));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #upsert(rows: readonly FeatureRow[]): Promise<void> {
    const spans = seriesSpans(rows);
    try {
      if (spans) await this.#replaceByKey(rows, spans);
      else await this.#replaceInOrder(rows);
    } catch (e) {
      await this.#reset();
      throw e;
    }
  }

  /**
   * The batch's rows, the last of each key, have distinct keys. In one transaction the stored
   * rows of those keys are deleted (found through the batch-keys table) and the rows appended. A
   * batch that only extends its series, as ingest and backfill do, has nothing stored to delete.
   * The transaction is explicit even then: the appender's flush holds the JS thread until it
   * returns, and a flush outside a transaction would commit (write and sync the log) inside it,
   * where an awaited `COMMIT` runs on DuckDB's threads while the pipeline makes the next batch.
   */
  async #replaceByKey(rows: readonly FeatureRow[], spans: Spans) {
    const conn = this.#conn;
    this.#appenders ??= {
      keys: await conn.createAppender(BATCH_KEYS, null, "temp"),
      rows: await conn.createAppender("features"),
    };
    const { keys, rows: appender } = this.#appenders;
    const chunks = this.#chunks ??= { keys: new RowChunk(KEY_COLUMNS), rows: new RowChunk(COLUMNS) };
    const newest = this.#newest ??= await newestStarts(conn);
    const batch = spans.forward ? rows : lastOfEachKey(rows).map((i) => rows[i] as FeatureRow);
    let extending = true;
    for (const [pair, windows] of spans.series) {
      for (const [window, span] of windows) {
        if (span.first <= (newest.get(pair)?.get(window) ?? -Infinity)) extending = false;
      }
    }
    // Rows a stopped append left in the appender would otherwise land with the next flush.
    appender.clear();
    if (extending) await conn.run("BEGIN TRANSACTION");
    else {
      // Keys are strings and safe integers here (see seriesSpans): they always fit the vectors.
      chunks.keys.appendAll(keys, batch);
      keys.flushSync();
      await conn.run(`BEGIN TRANSACTION; ${deleteBatchKeys()}; DELETE FROM ${BATCH_KEYS}`);
    }
    const loose: FeatureRow[] = [];
    for (let i = 0; i < batch.length; i += CHUNK_ROWS) {
      const to = Math.min(i + CHUNK_ROWS, batch.length);
      if (chunks.rows.fill(batch, i, to)) appender.appendDataChunk(chunks.rows.chunk);
      else loose.push(...batch.slice(i, to));
    }
    appender.flushSync();
    for (let i = 0; i < loose.length; i += BOUND_ROWS) {
      await insertBound(conn, "INSERT INTO features", loose.slice(i, i + BOUND_ROWS));
    }
    await conn.run("COMMIT");
    for (const [pair, windows] of spans.series) {
      let stored = newest.get(pair);
      if (!stored) newest.set(pair, stored = new Map());
      for (const [window, span] of windows) {
        if (span.last > (stored.get(window) ?? -Infinity)) stored.set(window, span.last);
      }
    }
  }

  /**
   * A batch with a key of another type, which only DuckDB can compare once converted: each row is
   * its own `INSERT OR REPLACE`, in order, so the last row of a key is the one kept.
   */
  async #replaceInOrder(rows: readonly FeatureRow[]) {
    await this.#conn.run("BEGIN TRANSACTION");
    for (let i = 0; i < rows.length; i++) {
      await insertBound(this.#conn, "INSERT OR REPLACE INTO features", [rows[i] as FeatureRow]);
    }
    await this.#conn.run("COMMIT");
    // Its keys are whatever DuckDB made of them: read the series' newest starts afresh.
    this.#newest = undefined;
  }

  /**
   * After a failed batch: its transaction rolled back, its keys gone, and the appenders, which
   * would keep offering the rows they hold, dropped. Errors here would only hide the batch's own.
   */
  async #reset() {
    await this.#conn.run("ROLLBACK").catch(() => {});
    await this.#conn.run(`DELETE FROM ${BATCH_KEYS}`).catch(() => {});
    this.#dropAppenders();
  }

  #dropAppenders() {
    for (const appender of Object.values(this.#appenders ?? {})) {
      try {
        appender.clear();
        appender.closeSync();
      } catch {
        // Already unusable; nothing of it is kept.
      }
    }
    this.#appenders = undefined;
  }

  close(): void {
    this.#dropAppenders();
    this.#conn.closeSync();
  }
}

/** Per pair, per window: a newest window start. */
type Starts = Map<string, Map<string, number>>;

/** A batch's series: the earliest and latest window start of each, and whether each only moves forward. */
interface Spans {
  series: Map<string, Map<string, { first: number; last: number }>>;
  /** Every series' starts rise through the batch, so no key appears twice. */
  forward: boolean;
}

/**
 * The series of a batch; null unless every key is a string pair, a string window and a
 * safe-integer start, which compare here exactly as DuckDB compares them.
 */
function seriesSpans(rows: readonly FeatureRow[]): Spans | null {
  const series: Spans["series"] = new Map();
  let forward = true;
  for (const { pair, window, window_start: start } of rows) {
    if (typeof pair !== "string" || typeof window !== "string" || !Number.isSafeInteger(start)) return null;
    let windows = series.get(pair);
    if (!windows) series.set(pair, windows = new Map());
    const span = windows.get(window);
    if (!span) windows.set(window, { first: start, last: start });
    else {
      if (start <= span.last) forward = false;
      span.first = Math.min(span.first, start);
      span.last = Math.max(span.last, start);
    }
  }
  return { series, forward };
}

/** The newest stored window start of every series. */
async function newestStarts(conn: DuckDBConnection): Promise<Starts> {
  const reader = await conn.runAndReadAll(
    `SELECT pair, "window", max(window_start) AS last FROM features GROUP BY pair, "window"`,
  );
  const starts: Starts = new Map();
  for (const r of reader.getRowObjectsJS()) {
    let windows = starts.get(String(r.pair));
    if (!windows) starts.set(String(r.pair), windows = new Map());
    windows.set(String(r.window), Number(r.last));
  }
  return starts;
}

/** The positions of each key's last row, in batch order (keys as {@linkcode seriesSpans} accepts them). */
function lastOfEachKey(rows: readonly FeatureRow[]): number[] {
  const last = new Map<string, number>();
  const keys = rows.map((r, i) => {
    // The pair's length first, so no pair and window can run into each other.
    const key = `${r.pair.length}:${r.pair}|${r.window}|${r.window_start}`;
    last.set(key, i);
    return key;
  });
  return keys.flatMap((k, i) => last.get(k) === i ? [i] : []);
}

/** `insert` (a statement up to VALUES) of `rows`, every value a bound parameter. */
async function insertBound(conn: DuckDBConnection, insert: string, rows: readonly FeatureRow[]) {
  const values: DuckDBValue[] = [];
  const tuples = rows.map((r) => {
    const start = values.length;
    const row = r as unknown as Values;
    for (const c of COLUMNS) values.push(row[c] as DuckDBValue);
    return `(${COLUMNS.map((_, j) => `$${start + j + 1}`).join(", ")})`;
  });
  await conn.run(`${insert} VALUES ${tuples.join(", ")}`, values);
}
