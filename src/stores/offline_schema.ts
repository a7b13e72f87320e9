/**
 * The offline store's SQL: its three tables, the table of keys a bulk upsert replaces, the
 * point-in-time news join, and the mapping from DuckDB's row objects back to feature rows,
 * predictions and news signals. Text and pure functions only; the store that runs it is
 * ./offline_duckdb.ts.
 */
import { type Window, WINDOW_MS } from "../domain/candle.ts";
import {
  CANDLE_COLUMNS,
  type FeatureRow,
  INDICATOR_COLUMNS,
  MARKET_NEWS_COLUMNS,
  type MarketNewsColumn,
  NEWS_COLUMNS,
  NEWS_SPANS,
  type NewsColumn,
} from "../domain/feature_row.ts";
import { MARKET, type NewsSignal } from "../domain/news.ts";
import type { Prediction } from "../domain/prediction.ts";

/** The columns of the `features` table, in table order. */
export const COLUMNS = [...CANDLE_COLUMNS, ...INDICATOR_COLUMNS, "warm"] as const;

export type SqlType = "VARCHAR" | "BIGINT" | "BOOLEAN" | "DOUBLE";

const SQL_TYPE: Record<string, SqlType> = {
  pair: "VARCHAR",
  window: "VARCHAR",
  window_start: "BIGINT",
  window_end: "BIGINT",
  trades: "BIGINT",
  warm: "BOOLEAN",
};

/** The type of a `features` column. */
export function sqlType(column: string): SqlType {
  return SQL_TYPE[column] ?? "DOUBLE";
}

export function quote(name: string): string {
  return `"${name}"`;
}

/** The statements that create the store's tables when they are missing. */
export function createTables(): string[] {
  const columns = COLUMNS.map((c) => `${quote(c)} ${sqlType(c)}`).join(", ");
  return [
    `CREATE TABLE IF NOT EXISTS features (${columns}, PRIMARY KEY (pair, "window", window_start))`,
    `CREATE TABLE IF NOT EXISTS predictions (pair VARCHAR, "window" VARCHAR, made_at BIGINT, horizon INTEGER,
        current_close DOUBLE, predicted_close DOUBLE, model_name VARCHAR, model_version VARCHAR,
        realised_close DOUBLE, PRIMARY KEY (pair, "window", made_at))`,
    `CREATE TABLE IF NOT EXISTS news_signals (news_id VARCHAR, coin VARCHAR, signal INTEGER, score DOUBLE,
        model VARCHAR, published_at BIGINT, known_at BIGINT, PRIMARY KEY (news_id, coin))`,
    // A store written before known times: its signals were known when published.
    `ALTER TABLE news_signals ADD COLUMN IF NOT EXISTS known_at BIGINT`,
    `UPDATE news_signals SET known_at = published_at WHERE known_at IS NULL`,
  ];
}

/** The temporary table holding the keys of the batch being upserted. */
export const BATCH_KEYS = "feature_batch_keys";

/** The batch-keys table: temporary, so it is never written to the file or its log. */
export function createBatchKeys(): string {
  return `CREATE TEMP TABLE IF NOT EXISTS ${BATCH_KEYS} (pair VARCHAR, "window" VARCHAR, window_start BIGINT)`;
}

/** Deletes the rows of `features` whose keys are in the batch-keys table. */
export function deleteBatchKeys(): string {
  return `DELETE FROM features WHERE (pair, "window", window_start) IN
    (SELECT pair, "window", window_start FROM ${BATCH_KEYS})`;
}

/** The news columns the offline store joins to feature rows: the pair's coin's, then the market's. */
export const JOINED_NEWS_COLUMNS = [...NEWS_COLUMNS, ...MARKET_NEWS_COLUMNS] as const;

/** Sum, mean and count per span of the signals `s` joined to each row of `f`, named `<prefix>news_…`. */
function spanAggregates(prefix: string, known: string): string {
  return Object.entries(NEWS_SPANS).map(([name, ms]) => {
    const within = `s.${known} > f.window_end - ${ms}`;
    return `coalesce(sum(s.signal) FILTER (WHERE ${within}), 0) AS ${prefix}news_signal_sum_${name},
      coalesce(avg(s.signal) FILTER (WHERE ${within}), 0) AS ${prefix}news_signal_mean_${name},
      count(s.signal) FILTER (WHERE ${within}) AS ${prefix}news_count_${name}`;
  }).join(",\n      ");
}

/**
 * The news columns of feature rows `f`, point in time: signals of the pair's base coin
 * known in (window_end − span, window_end]; minutes since the last non-zero signal known at or
 * before window_end; and the same over the market-wide signals (coin `MARKET`) as the
 * `market_news_*` columns. The same definitions as `transforms/news_features.ts`. `known` is the
 * column of known times (`published_at` in a store, opened read-only, from before `known_at`).
 */
export function newsSql(rowsSql: string, known: "known_at" | "published_at" = "known_at"): string {
  const aggregates = (name: string, prefix: string, coin: string) =>
    `${name} AS (
      SELECT f.pair, f.window_start, ${spanAggregates(prefix, known)}
      FROM f LEFT JOIN news_signals s
        ON s.coin = ${coin}
        AND s.${known} <= f.window_end AND s.${known} > f.window_end - ${NEWS_SPANS["24h"]}
      GROUP BY f.pair, f.window_start
    )`;
  const spanColumns = (table: string, columns: readonly string[]) =>
    columns.filter((c) => !c.endsWith("news_minutes_since_signal")).map((c) => `${table}.${c}`).join(", ");
  return `WITH f AS (${rowsSql}),
    ${aggregates("agg", "", "split_part(f.pair, '/', 1)")},
    ${aggregates("market_agg", "market_", `'${MARKET}'`)},
    nz AS (SELECT coin, ${known} AS known_at FROM news_signals WHERE signal <> 0),
    last AS (
      SELECT f.pair, f.window_start, (f.window_end - nz.known_at) / 60000.0 AS news_minutes_since_signal
      FROM f ASOF LEFT JOIN nz ON nz.coin = split_part(f.pair, '/', 1) AND f.window_end >= nz.known_at
    ),
    market_last AS (
      SELECT f.pair, f.window_start,
        (f.window_end - m.known_at) / 60000.0 AS market_news_minutes_since_signal
      FROM f ASOF LEFT JOIN (SELECT known_at FROM nz WHERE coin = '${MARKET}') m
        ON f.window_end >= m.known_at
    )
    SELECT f.*, ${spanColumns("agg", NEWS_COLUMNS)}, last.news_minutes_since_signal,
      ${spanColumns("market_agg", MARKET_NEWS_COLUMNS)}, market_last.market_news_minutes_since_signal
    FROM f JOIN agg USING (pair, window_start) JOIN last USING (pair, window_start)
      JOIN market_agg USING (pair, window_start) JOIN market_last USING (pair, window_start)
    ORDER BY f.window_start`;
}

/** The news columns of a row when no signal exists: counts 0, minutes since a signal unknown. */
export const NO_NEWS = Object.fromEntries(
  JOINED_NEWS_COLUMNS.map((c) => [c, c.endsWith("news_minutes_since_signal") ? null : 0]),
) as Record<NewsColumn | MarketNewsColumn, number | null>;

/** A DuckDB row object as a feature row (BIGINTs as numbers, missing values null). */
export function toRow(r: Record<string, unknown>): FeatureRow {
  const row: Record<string, unknown> = {};
  for (const c of COLUMNS) {
    const v = r[c];
    row[c] = typeof v === "bigint" ? Number(v) : v ?? null;
  }
  return row as unknown as FeatureRow;
}

/** A `predictions` row as a prediction (its horizon in seconds derived from the window). */
export function toPrediction(r: Record<string, unknown>): Prediction {
  return {
    pair: String(r.pair),
    window: String(r.window),
    made_at: Number(r.made_at),
    horizon: Number(r.horizon),
    horizon_s: Number(r.horizon) * WINDOW_MS[String(r.window) as Window] / 1000,
    current_close: Number(r.current_close),
    predicted_close: Number(r.predicted_close),
    model: {
      name: String(r.model_name),
      version: r.model_version === null ? null : String(r.model_version),
    },
    realised_close: r.realised_close === null ? null : Number(r.realised_close),
  };
}

/** A `news_signals` row as a news signal. */
export function toSignal(r: Record<string, unknown>): NewsSignal {
  return {
    news_id: String(r.news_id),
    coin: String(r.coin),
    signal: Number(r.signal) as -1 | 0 | 1,
    score: Number(r.score),
    model: String(r.model),
    published_at: Number(r.published_at),
    known_at: Number(r.known_at ?? r.published_at),
  };
}
