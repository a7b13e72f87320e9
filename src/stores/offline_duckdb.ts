/**
 * The offline store on DuckDB: every feature row, in an embedded file in the data dir; the query
 * engine for training. Upserts replace rows by the primary key (pair, window, window_start), the
 * last row of a key in a batch winning, so replaying the same history leaves one identical row
 * per key. The tables and the news join are in ./offline_schema.ts; how a batch is written in
 * bulk is in ./offline_upsert.ts.
 */
import { type DuckDBAppender, type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { type Window, WINDOW_MS } from "../domain/candle.ts";
import type { Prediction } from "../domain/prediction.ts";
import { trainingRowOf } from "./training_rows.ts";
import {
  type FeatureRow,
  type FeatureRowWithNews,
  NO_OTHER_PAIRS,
  OTHER_PAIR_COLUMNS,
  type OtherPairs,
  type TrainingRow,
} from "../domain/feature_row.ts";
import type { NewsSignal } from "../domain/news.ts";
import type { FeatureHistory, NewsSignalStore } from "../domain/ports.ts";
import {
  createBatchKeys,
  createTables,
  JOINED_NEWS_COLUMNS,
  newsSql,
  NO_NEWS,
  quote,
  toPrediction,
  toRow,
  toSignal,
} from "./offline_schema.ts";
import { FeatureWriter } from "./offline_upsert.ts";

/** The temporary table a batch of news signals is appended to before it replaces stored ones. */
const SIGNAL_BATCH = "news_signal_batch";
/**
 * How much write-ahead log a writer gathers before it checkpoints. At DuckDB's default of 16 MB a
 * backfill checkpoints every 40-50,000 feature rows, and the commit that triggers one waits for
 * it; at 64 MB long backfills run about a quarter faster. Every commit is still synced to the log
 * before it returns, so a crash loses no committed batch; the next open just has more log to replay.
 */
const CHECKPOINT_THRESHOLD = "64MB";

/** A series' rows in [$3, $4): `$1` the pair, `$2` the window. */
const RANGE_SQL =
  `SELECT * FROM features WHERE pair = $1 AND "window" = $2 AND window_start >= $3 AND window_start < $4`;

/**
 * How many windows one query of a chunked read covers (two weeks of 1m rows). DuckDB builds a
 * query's whole sorted, news-joined result before its first chunk: a year of 1m rows in one query
 * held 1.5 GB and took 6 s to start. Consecutive slices, each in order, give the same rows in the
 * same order.
 */
const SLICE_WINDOWS = 20_000;

export { type FeatureRowWithNews, OTHER_PAIR_COLUMNS, type TrainingRow } from "../domain/feature_row.ts";

/** A row of the news join: the feature columns, then its news columns as numbers (null when none). */
function withNews(r: Record<string, unknown>): FeatureRowWithNews {
  const row = toRow(r) as FeatureRowWithNews;
  for (const c of JOINED_NEWS_COLUMNS) row[c] = r[c] === null || r[c] === undefined ? null : Number(r[c]);
  return row;
}

/** A row of a store without a signal table: no news. */
function withoutNews(r: Record<string, unknown>): FeatureRowWithNews {
  return { ...toRow(r), ...NO_NEWS };
}

export class DuckDbFeatureStore implements FeatureHistory, NewsSignalStore {
  #db: DuckDBInstance;
  #conn: DuckDBConnection;
  /**
   * Feature upserts, on their own connection: each runs in a transaction, which statements on
   * `#conn` (signals, predictions, reads) must not join while it waits.
   */
  #writer: FeatureWriter;
  /** News signal writes: their connection (holding the batch table) and appender, once used. */
  #signals: { conn: DuckDBConnection; appender: DuckDBAppender } | undefined;
  #signalQueue: Promise<void> = Promise.resolve();

  private constructor(db: DuckDBInstance, conn: DuckDBConnection, writer: FeatureWriter) {
    this.#db = db;
    this.#conn = conn;
    this.#writer = writer;
  }

  /**
   * Opens (creating if needed) the store file at `path`, or `:memory:`. Read-only opens let
   * several readers share the file, but not with a writer.
   */
  static async open(path: string, { readOnly = false } = {}): Promise<DuckDbFeatureStore> {
    let db: DuckDBInstance;
    try {
      if (readOnly) await Deno.stat(path);
      db = await DuckDBInstance.create(
        path,
        readOnly ? { access_mode: "READ_ONLY" } : { checkpoint_threshold: CHECKPOINT_THRESHOLD },
      );
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new Error(`there is no offline store at ${path} yet: run ingest or backfill first`, {
          cause: e,
        });
      }
      const msg = (e as Error).message;
      if (/lock/i.test(msg)) {
        throw new Error(
          `the offline store ${path} is open in another process (a running ingest, backfill, news, start or demo?): ${msg}`,
          {
            cause: e,
          },
        );
      }
      throw new Error(`cannot open the offline store ${path}: ${msg}`, { cause: e });
    }
    const conn = await db.connect();
    if (!readOnly) { for (const sql of createTables()) await conn.run(sql); }
    const writer = await db.connect();
    // Temporary, so a read-only store has it too, and an upsert fails there as any write would.
    await writer.run(createBatchKeys());
    return new DuckDbFeatureStore(db, conn, new FeatureWriter(writer));
  }

  /**
   * Inserts or replaces `rows` by key, all of them or (on an error) none; of rows sharing a key
   * the last is kept. Concurrent calls are applied one after another, in call order.
   */
  upsert(rows: readonly FeatureRow[]): Promise<void> {
    return this.#writer.upsert(rows);
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

  /** `range`, with each row's news columns. */
  async rangeWithNews(
    pair: string,
    window: Window,
    from = -8.64e15,
    to = 8.64e15,
  ): Promise<FeatureRowWithNews[]> {
    const { sql, news } = await this.#rangeWithNewsSql();
    const reader = await this.#conn.runAndReadAll(sql, [pair, window, from, to]);
    return reader.getRowObjectsJS().map(news ? withNews : withoutNews);
  }

  /**
   * The same rows as `rangeWithNews`, a DuckDB chunk (2,048 rows) at a time, so a reader of a year
   * of rows never holds them all. Aborting `signal` interrupts the query and rejects with the
   * signal's reason.
   */
  async *rangeWithNewsChunks(
    pair: string,
    window: Window,
    from = -8.64e15,
    to = 8.64e15,
    signal?: AbortSignal,
  ): AsyncIterable<FeatureRowWithNews[]> {
    const { sql, news } = await this.#rangeWithNewsSql();
    yield* this.#slices(sql, pair, window, from, to, news ? withNews : withoutNews, signal);
  }

  /** The newest `n` rows of a series, oldest first, a chunk at a time; `signal` as for `rangeWithNewsChunks`. */
  async *tailChunks(
    pair: string,
    window: Window,
    n: number,
    signal?: AbortSignal,
  ): AsyncIterable<FeatureRow[]> {
    const reader = await this.#conn.runAndReadAll(
      `SELECT window_start FROM features WHERE pair = $1 AND "window" = $2
       ORDER BY window_start DESC LIMIT 1 OFFSET ${Math.max(0, Math.floor(n) - 1)}`,
      [pair, window],
    );
    const oldest = reader.getRowObjectsJS()[0]?.window_start;
    const from = oldest === undefined ? -8.64e15 : Number(oldest);
    yield* this.#slices(`${RANGE_SQL} ORDER BY window_start`, pair, window, from, 8.64e15, toRow, signal);
  }

  async #rangeWithNewsSql(): Promise<{ sql: string; news: boolean }> {
    if (!(await this.#hasNewsTable())) return { sql: `${RANGE_SQL} ORDER BY window_start`, news: false };
    return { sql: newsSql(RANGE_SQL, await this.#knownColumn()), news: true };
  }

  /**
   * `sql` (a query of `RANGE_SQL`'s parameters, ordered by window start) over [from, to), one
   * slice of {@linkcode SLICE_WINDOWS} windows after another, as DuckDB streams each.
   */
  async *#slices<T>(
    sql: string,
    pair: string,
    window: Window,
    from: number,
    to: number,
    map: (r: Record<string, unknown>) => T,
    signal: AbortSignal | undefined,
  ): AsyncIterable<T[]> {
    const reader = await this.#conn.runAndReadAll(
      `SELECT min(window_start) AS first, max(window_start) AS last FROM (${RANGE_SQL})`,
      [pair, window, from, to],
    );
    const { first, last } = reader.getRowObjectsJS()[0] ?? {};
    if (first === null || first === undefined || last === null || last === undefined) return;
    const width = SLICE_WINDOWS * WINDOW_MS[window];
    for (let start = Number(first); start <= Number(last); start += width) {
      // As BIGINTs, like the column: compared with a DOUBLE, DuckDB cannot skip the blocks outside a slice.
      const bounds = [BigInt(start), BigInt(Math.min(start + width, Number(last) + 1))];
      yield* this.#chunks(sql, [pair, window, ...bounds], map, signal);
    }
  }

  /**
   * A query's rows as DuckDB streams them. An interrupted stream just ends, which would pass for
   * the whole result, so an abort rejects instead, with the signal's reason.
   */
  async *#chunks<T>(
    sql: string,
    params: (string | number | bigint)[],
    map: (r: Record<string, unknown>) => T,
    signal: AbortSignal | undefined,
  ): AsyncIterable<T[]> {
    signal?.throwIfAborted();
    const interrupt = () => this.#conn.interrupt();
    signal?.addEventListener("abort", interrupt, { once: true });
    try {
      const result = await this.#conn.stream(sql, params);
      for await (const chunk of result.yieldRowObjectJs()) {
        signal?.throwIfAborted();
        yield chunk.map(map);
      }
      signal?.throwIfAborted();
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw e;
    } finally {
      signal?.removeEventListener("abort", interrupt);
    }
  }

  /**
   * Warm rows of a series with their news columns, each with the close `horizonMs` after its
   * own window start, looked up by time (so a gap in the series cannot shift it onto another
   * candle); rows without it are left out. `others` adds, per other pair, that pair's row starting
   * `others.lag` windows before (its columns under `<pair>:<column>`, null when it has none).
   */
  async trainingRows(
    pair: string,
    window: Window,
    horizonMs: number,
    others: OtherPairs = NO_OTHER_PAIRS,
  ): Promise<TrainingRow[]> {
    const rows: TrainingRow[] = [];
    for await (const chunk of this.trainingRowChunks(pair, window, horizonMs, others)) rows.push(...chunk);
    return rows;
  }

  /** The same rows as `trainingRows`, a DuckDB chunk (2,048 rows) at a time. */
  async *trainingRowChunks(
    pair: string,
    window: Window,
    horizonMs: number,
    others: OtherPairs = NO_OTHER_PAIRS,
  ): AsyncIterable<TrainingRow[]> {
    const sql = await this.#trainingSql(window, others, false);
    const result = await this.#conn.stream(sql, [pair, window, horizonMs, ...others.pairs]);
    for await (const chunk of result.yieldRowObjectJs()) {
      yield chunk.map((r) => trainingRowOf(r, others.pairs));
    }
  }

  /**
   * Writes `trainingRows` (those from `from` on) to a CSV file at `path` with a header, for a Worker
   * to read: DuckDB writes it on its own threads, so the caller's event loop stays free (turning
   * thousands of rows into objects here would hold it for hundreds of milliseconds).
   */
  async exportTrainingRows(
    path: string,
    pair: string,
    window: Window,
    horizonMs: number,
    others: OtherPairs = NO_OTHER_PAIRS,
    from = 0,
  ): Promise<void> {
    const sql = await this.#trainingSql(window, others, true);
    // COPY takes no parameters: the values are inlined, strings quoted.
    const params = [pair, window, horizonMs, ...others.pairs, from].map((v) =>
      typeof v === "string" ? `'${v.replaceAll("'", "''")}'` : String(Math.trunc(v))
    );
    const inlined = sql.replace(/\$(\d+)/g, (_, i: string) => params[Number(i) - 1]!);
    await this.#conn.run(`COPY (${inlined}) TO '${path.replaceAll("'", "''")}' (FORMAT csv, HEADER)`);
  }

  async #trainingSql(window: Window, others: OtherPairs, withFrom: boolean): Promise<string> {
    const fromClause = withFrom ? ` AND window_start >= $${4 + others.pairs.length}` : "";
    const back = Math.trunc(others.lag) * WINDOW_MS[window];
    const rowsSql = `SELECT * FROM features WHERE pair = $1 AND "window" = $2 AND warm${fromClause}`;
    const base = (await this.#hasNewsTable())
      ? newsSql(rowsSql, await this.#knownColumn())
      : `SELECT *, ${JOINED_NEWS_COLUMNS.map((c) => `${NO_NEWS[c] === null ? "NULL" : 0} AS ${c}`).join(", ")}
         FROM (${rowsSql}) ORDER BY window_start`;
    const joins = others.pairs.map((_, i) =>
      `LEFT JOIN features o${i} ON o${i}.pair = $${
        4 + i
      } AND o${i}."window" = $2 AND o${i}.window_start = b.window_start - ${back}`
    ).join("\n");
    const otherCols = others.pairs.flatMap((_, i) =>
      OTHER_PAIR_COLUMNS.map((c) => `o${i}.${quote(c)} AS "o${i}:${c}"`)
    );
    const sql = `WITH b AS (${base})
      SELECT b.*, t.close AS target_close${otherCols.length ? ", " + otherCols.join(", ") : ""}
      FROM b JOIN features t ON t.pair = b.pair AND t."window" = b."window" AND t.window_start = b.window_start + $3
      ${joins}
      ORDER BY b.window_start`;
    return sql;
  }

  /** Keeps a prediction in the history (replacing one made at the same time). */
  async putPrediction(p: Prediction): Promise<void> {
    await this.#conn.run(
      `INSERT OR REPLACE INTO predictions VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        p.pair,
        p.window,
        p.made_at,
        p.horizon,
        p.current_close,
        p.predicted_close,
        p.model.name,
        p.model.version,
        p.realised_close,
      ],
    );
  }

  async realisePrediction(pair: string, window: string, madeAt: number, close: number): Promise<void> {
    await this.#conn.run(
      `UPDATE predictions SET realised_close = $4 WHERE pair = $1 AND "window" = $2 AND made_at = $3`,
      [pair, window, madeAt, close],
    );
  }

  /** The newest `limit` predictions of a series, newest first. */
  async predictions(pair: string, window: string, limit: number): Promise<Prediction[]> {
    const reader = await this.#conn.runAndReadAll(
      `SELECT * FROM predictions WHERE pair = $1 AND "window" = $2 ORDER BY made_at DESC LIMIT ${
        Math.floor(limit)
      }`,
      [pair, window],
    );
    return reader.getRowObjectsJS().map(toPrediction);
  }

  /**
   * The column of the signals' known times: `published_at` in a store opened read-only on a file
   * written before `known_at` (whose signals were all known when published).
   */
  async #knownColumn(): Promise<"known_at" | "published_at"> {
    const reader = await this.#conn.runAndReadAll(
      `SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'news_signals' AND column_name = 'known_at'`,
    );
    return Number(reader.getRowObjectsJS()[0]?.n) > 0 ? "known_at" : "published_at";
  }

  /** A read-only store opened on a file written before news existed has no signal table. */
  async #hasNewsTable(): Promise<boolean> {
    const reader = await this.#conn.runAndReadAll(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'news_signals'`,
    );
    return Number(reader.getRowObjectsJS()[0]?.n) > 0;
  }

  /**
   * Inserts or replaces signals by (news_id, coin), the last of a key in the batch winning, all or
   * (on an error) none. A signal keeps the known time it was first stored with: a headline
   * repeated after a crash, or classified again, was known when it first was. The batch is
   * appended to a temporary table (no SQL per signal, nothing logged) and moved in one
   * `INSERT … SELECT … ON CONFLICT`: one commit, whose sync is most of the cost, however many
   * signals it holds. Calls run one after another, on a connection of their own so the appender
   * never waits on a read.
   */
  putSignals(signals: readonly NewsSignal[]): Promise<void> {
    if (signals.length === 0) return this.#signalQueue;
    const run = this.#signalQueue.then(() => this.#putSignals(signals));
    this.#signalQueue = run.catch(() => {});
    return run;
  }

  async #putSignals(signals: readonly NewsSignal[]): Promise<void> {
    if (!this.#signals) {
      const conn = await this.#db.connect();
      await conn.run(
        `CREATE TEMP TABLE IF NOT EXISTS ${SIGNAL_BATCH} (news_id VARCHAR, coin VARCHAR, signal INTEGER,
          score DOUBLE, model VARCHAR, published_at BIGINT, known_at BIGINT)`,
      );
      this.#signals = { conn, appender: await conn.createAppender(SIGNAL_BATCH, null, "temp") };
    }
    const { conn, appender } = this.#signals;
    const last = new Map<string, NewsSignal>();
    for (const s of signals) {
      const key = `${s.coin.length}:${s.coin}|${s.news_id}`;
      const first = last.get(key);
      last.set(key, first ? { ...s, known_at: first.known_at } : s);
    }
    try {
      for (const s of last.values()) {
        appender.appendVarchar(s.news_id);
        appender.appendVarchar(s.coin);
        appender.appendInteger(s.signal);
        appender.appendDouble(s.score);
        appender.appendVarchar(s.model);
        appender.appendBigInt(BigInt(s.published_at));
        appender.appendBigInt(BigInt(s.known_at));
        appender.endRow();
      }
      appender.flushSync();
      const columns = "news_id, coin, signal, score, model, published_at, known_at";
      await conn.run(
        `INSERT INTO news_signals (${columns}) SELECT ${columns} FROM ${SIGNAL_BATCH}
         ON CONFLICT (news_id, coin) DO UPDATE SET signal = excluded.signal, score = excluded.score,
           model = excluded.model, published_at = excluded.published_at`,
      );
    } catch (e) {
      // The batch table goes with its connection, and a half-appended row with its appender.
      this.#closeSignals();
      throw e;
    }
    await conn.run(`DELETE FROM ${SIGNAL_BATCH}`);
  }

  #closeSignals(): void {
    try {
      this.#signals?.appender.clear();
      this.#signals?.appender.closeSync();
    } catch {
      // Already unusable; nothing of it is kept.
    }
    this.#signals?.conn.closeSync();
    this.#signals = undefined;
  }

  /** Signals of a coin known in [from, to), in the order they became known. */
  async signals(coin: string, from = -8.64e15, to = 8.64e15): Promise<NewsSignal[]> {
    if (!(await this.#hasNewsTable())) return [];
    const known = await this.#knownColumn();
    const reader = await this.#conn.runAndReadAll(
      `SELECT * FROM news_signals WHERE coin = $1 AND ${known} >= $2 AND ${known} < $3
       ORDER BY ${known}, news_id`,
      [coin, from, to],
    );
    return reader.getRowObjectsJS().map(toSignal);
  }

  /**
   * Every stored signal published in [from, to), oldest first (then by id and coin), in chunks
   * as DuckDB streams them, so an export of millions never holds them all. `title` says whether
   * the table stores headlines' titles; each row then carries its own.
   */
  async signalRows(
    from = -8.64e15,
    to = 8.64e15,
  ): Promise<{ title: boolean; chunks: AsyncIterable<(NewsSignal & { title?: string | null })[]> }> {
    const stored = await this.#hasNewsTable();
    const columns = await this.#conn.runAndReadAll(
      `SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'news_signals' AND column_name = 'title'`,
    );
    const title = Number(columns.getRowObjectsJS()[0]?.n) > 0;
    const result = stored
      ? await this.#conn.stream(
        `SELECT * FROM news_signals WHERE published_at >= $1 AND published_at < $2 ORDER BY published_at, news_id, coin`,
        [from, to],
      )
      : undefined;
    async function* chunks() {
      if (result === undefined) return;
      for await (const rows of result.yieldRowObjectJs()) {
        yield rows.map((r) =>
          title ? { ...toSignal(r), title: r.title === null ? null : String(r.title) } : toSignal(r)
        );
      }
    }
    return { title, chunks: chunks() };
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
    this.#closeSignals();
    this.#writer.close();
    this.#conn.closeSync();
    this.#db.closeSync();
  }
}
