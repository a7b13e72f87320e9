/**
 * Feature-store writes at real trade density: feature rows upserted into the offline store
 * (DuckDB, a file) and the online store (Deno KV, a file), each beside the way the stores used to
 * write (kept here as the reference), on the same rows in the same run. Each offline batch is one
 * commit, and at the pipeline's batch size DuckDB's cost per commit bounds the rate: it plans the
 * appender's INSERT, appends the rows to the transaction's storage and then to the table, checks
 * and inserts every key in the primary-key index, and logs the rows and syncs the log (the sync is
 * about a tenth of it). The one-batch figure shows the rate without that bound, into a fresh store
 * (where DuckDB moves a transaction's rows over whole).
 *
 * Rows are shaped like the pipeline's: every indicator column filled, four pairs, the 1m, 5m, 15m
 * and 1h windows closing in time order, written in batches of 540 rows, what a 20,000-trade batch
 * of the real BTC/USD hour makes (26,937 rows per million trades).
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { type Window, WINDOW_MS } from "../src/domain/candle.ts";
import { type FeatureRow, INDICATOR_COLUMNS } from "../src/domain/feature_row.ts";
import { DuckDbFeatureStore } from "../src/stores/offline_duckdb.ts";
import { COLUMNS, createTables } from "../src/stores/offline_schema.ts";
import { KvFeatureStore } from "../src/stores/online_kv.ts";
import type { BenchResult } from "./ws_frames.ts";

const PAIRS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD"];
const WINDOWS: Window[] = ["1m", "5m", "15m", "1h"];
/** Rows per upsert: a 20,000-trade batch at the real hour's density. */
const BATCH = 540;
/** Rows per run: a million trades' worth. */
const ROWS = 27_000;

/** Feature rows as the pipeline emits them: each minute's 1m rows, then any longer window closing. */
function featureRows(n: number): FeatureRow[] {
  let a = 1;
  const rnd = () => {
    a = (a * 1_103_515_245 + 12_345) % 2_147_483_648;
    return a / 2_147_483_648;
  };
  const t0 = Date.UTC(2024, 0, 1);
  const out: FeatureRow[] = [];
  for (let m = 0; out.length < n; m++) {
    for (const window of WINDOWS) {
      const span = WINDOW_MS[window];
      if (((m + 1) * 60_000) % span !== 0) continue;
      for (const pair of PAIRS) {
        const start = t0 + (m + 1) * 60_000 - span;
        const close = 1_000 + rnd() * 100;
        const row: Record<string, unknown> = {
          pair,
          window,
          window_start: start,
          window_end: start + span,
          open: close + rnd(),
          high: close + 2,
          low: close - 2,
          close,
          volume: rnd() * 50,
          vwap: close + rnd() - 0.5,
          trades: Math.floor(rnd() * 400),
          buy_volume: rnd() * 25,
          sell_volume: rnd() * 25,
          warm: true,
        };
        for (const c of INDICATOR_COLUMNS) row[c] = (rnd() - 0.5) * 200;
        out.push(row as unknown as FeatureRow);
      }
    }
  }
  return out.slice(0, n);
}

/** The offline store's upsert as it was: one multi-row `INSERT OR REPLACE` per 200 bound rows. */
async function rowByRowOffline(conn: DuckDBConnection, rows: readonly FeatureRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const values: (string | number | boolean | null)[] = [];
    const tuples = rows.slice(i, i + 200).map((row) => {
      const start = values.length;
      for (const c of COLUMNS) values.push(row[c] as string | number | boolean | null);
      return `(${COLUMNS.map((_, j) => `$${start + j + 1}`).join(", ")})`;
    });
    await conn.run(`INSERT OR REPLACE INTO features VALUES ${tuples.join(", ")}`, values);
  }
}

/** The online store's upsert as it was: 400 rows per commit, then each series' latest row alone. */
async function rowByRowOnline(kv: Deno.Kv, rows: readonly FeatureRow[]): Promise<void> {
  const newest = new Map<string, FeatureRow>();
  for (const r of rows) {
    const k = `${r.pair}|${r.window}`;
    const seen = newest.get(k);
    if (!seen || r.window_start >= seen.window_start) newest.set(k, r);
  }
  for (let i = 0; i < rows.length; i += 400) {
    const op = kv.atomic();
    for (const r of rows.slice(i, i + 400)) {
      const span = r.window_end - r.window_start;
      op.set(["features", "recent", r.pair, r.window, r.window_start], r, { expireIn: 7 * 86_400_000 });
      op.delete(["features", "recent", r.pair, r.window, r.window_start - 500 * span]);
    }
    await op.commit();
  }
  for (const row of newest.values()) {
    const key = ["features", "latest", row.pair, row.window];
    for (;;) {
      const current = await kv.get<FeatureRow>(key);
      if (current.value && current.value.window_start > row.window_start) break;
      if ((await kv.atomic().check(current).set(key, row).commit()).ok) break;
    }
  }
}

/**
 * Rows per second writing `rows` in batches of `batch` through `upsert`, into a fresh store `open`
 * makes in `dir`.
 */
async function rate<S>(
  dir: string,
  rows: readonly FeatureRow[],
  open: (dir: string) => Promise<{ store: S; close: () => void }>,
  upsert: (store: S, rows: readonly FeatureRow[]) => Promise<void>,
  batch = BATCH,
): Promise<number> {
  const run = await Deno.makeTempDir({ dir });
  const { store, close } = await open(run);
  try {
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += batch) await upsert(store, rows.slice(i, i + batch));
    return rows.length / ((performance.now() - t0) / 1000);
  } finally {
    close();
  }
}

/** Min, median and max of three runs. */
async function three(fn: () => Promise<number>): Promise<[number, number, number]> {
  const runs = [await fn(), await fn(), await fn()].sort((a, b) => a - b);
  return runs as [number, number, number];
}

const fmt = (r: number[]) => r.map((n) => Math.round(n).toLocaleString("en-US")).join(" / ");

export async function benchStores(): Promise<BenchResult[]> {
  const rows = featureRows(ROWS);
  // The old offline way takes about a millisecond a row: two batches are enough to rate it.
  const few = rows.slice(0, 2 * BATCH);
  const dir = await Deno.makeTempDir({ prefix: "bench-stores-" });
  try {
    const openOffline = async (d: string) => {
      const store = await DuckDbFeatureStore.open(`${d}/offline.duckdb`);
      return { store, close: () => store.close() };
    };
    const openOldOffline = async (d: string) => {
      const db = await DuckDBInstance.create(`${d}/offline.duckdb`);
      const conn = await db.connect();
      for (const sql of createTables()) await conn.run(sql);
      return {
        store: conn,
        close: () => {
          conn.closeSync();
          db.closeSync();
        },
      };
    };
    const openOnline = async (d: string) => {
      const store = await KvFeatureStore.open(`${d}/online.kv`);
      return { store, close: () => store.close() };
    };

    const offline = await three(() =>
      rate(dir, rows, openOffline, (s: DuckDbFeatureStore, b) => s.upsert(b))
    );
    const whole = await three(() =>
      rate(dir, rows, openOffline, (s: DuckDbFeatureStore, b) => s.upsert(b), rows.length)
    );
    const oldOffline = await three(() => rate(dir, few, openOldOffline, rowByRowOffline));
    const onlineRate = await three(() => rate(dir, rows, openOnline, (s: KvFeatureStore, b) => s.upsert(b)));
    const oldOnline = await three(() =>
      rate(dir, rows, openOnline, (s: KvFeatureStore, b) => rowByRowOnline(s.kv, b))
    );
    console.log(
      `  ${rows.length.toLocaleString("en-US")} rows in batches of ${BATCH}, rows/s min / median / max: ` +
        `offline ${fmt(offline)} (before: ${fmt(oldOffline)} on ${few.length} rows; ` +
        `in one batch: ${fmt(whole)}); online ${fmt(onlineRate)} (before: ${fmt(oldOnline)})`,
    );
    return [
      {
        name: `offline store (DuckDB file) upsert, batches of ${BATCH} rows`,
        value: offline[1],
        unit: "rows/s",
        reference: "200-row INSERT OR REPLACE statements (the old way)",
        referenceValue: oldOffline[1],
        ratio: offline[1] / oldOffline[1],
        target: ">= 200,000 rows/s",
        pass: offline[1] >= 200_000,
      },
      {
        name: `offline store (DuckDB file) upsert, ${rows.length.toLocaleString("en-US")} rows in one batch`,
        value: whole[1],
        unit: "rows/s",
        reference: "200-row INSERT OR REPLACE statements (the old way)",
        referenceValue: oldOffline[1],
        ratio: whole[1] / oldOffline[1],
        target: ">= 200,000 rows/s",
        pass: whole[1] >= 200_000,
      },
      {
        name: `online store (Deno KV file) upsert, batches of ${BATCH} rows`,
        value: onlineRate[1],
        unit: "rows/s",
        reference: "400 rows a commit, then each series' latest row alone",
        referenceValue: oldOnline[1],
        ratio: onlineRate[1] / oldOnline[1],
        target: "informational: faster than the reference",
        pass: onlineRate[1] > oldOnline[1],
      },
    ];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
