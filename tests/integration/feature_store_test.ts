import { assert, assertEquals } from "../assert.ts";
import type { FeatureRow } from "../../src/domain/feature_row.ts";
import { INDICATOR_COLUMNS } from "../../src/domain/feature_row.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { KvFeatureStore } from "../../src/stores/online_kv.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

function row(i: number, close = 100 + i, pair = "BTC/USD"): FeatureRow {
  const base = {
    pair,
    window: "1m" as const,
    window_start: T0 + i * MIN,
    window_end: T0 + (i + 1) * MIN,
    open: close,
    high: close + 1,
    low: close - 1,
    close,
    volume: 1.5,
    vwap: close,
    trades: 3,
    buy_volume: 1,
    sell_volume: 0.5,
    warm: i >= 2,
  };
  const ind = Object.fromEntries(INDICATOR_COLUMNS.map((c, j) => [c, i >= 2 ? close / (j + 1) : null]));
  return { ...base, ...ind } as FeatureRow;
}

Deno.test("offline store: upserts are idempotent and a rewrite replaces the row by key", async () => {
  const store = await DuckDbFeatureStore.open(":memory:");
  try {
    const rows = [0, 1, 2, 3, 4].map((i) => row(i));
    await store.upsert(rows);
    await store.upsert(rows);
    assertEquals(await store.range("BTC/USD", "1m"), rows);
    await store.upsert([row(2, 999)]);
    const all = await store.range("BTC/USD", "1m");
    assertEquals(all.length, 5);
    assertEquals(all[2]?.close, 999);
    assertEquals((await store.counts())[0]?.rows, 5);
  } finally {
    store.close();
  }
});

Deno.test("offline store: asOf returns the row known at t, never a later one", async () => {
  const store = await DuckDbFeatureStore.open(":memory:");
  try {
    await store.upsert([0, 1, 2, 3].map((i) => row(i)));
    await store.upsert([row(0, 5, "ETH/USD")]);
    assertEquals(await store.asOf("BTC/USD", "1m", T0 + MIN - 1), null, "the first candle closes at T0+1m");
    assertEquals((await store.asOf("BTC/USD", "1m", T0 + MIN))?.window_start, T0);
    assertEquals((await store.asOf("BTC/USD", "1m", T0 + 3 * MIN - 1))?.window_start, T0 + MIN);
    assertEquals((await store.asOf("BTC/USD", "1m", T0 + 100 * MIN))?.window_start, T0 + 3 * MIN);
    assertEquals((await store.latest("ETH/USD", "1m"))?.close, 5);
    assertEquals((await store.tail("BTC/USD", "1m", 2)).map((r) => r.close), [102, 103]);
    assertEquals((await store.range("BTC/USD", "1m", T0 + MIN, T0 + 3 * MIN)).length, 2);
  } finally {
    store.close();
  }
});

Deno.test("online store: keeps the latest row per series, never rolled back by an older one", async () => {
  const dir = await Deno.makeTempDir();
  const store = await KvFeatureStore.open(`${dir}/online.kv`);
  try {
    await store.upsert([row(0), row(2), row(1)]);
    assertEquals((await store.latest("BTC/USD", "1m"))?.window_start, T0 + 2 * MIN);
    await store.upsert([row(1, 5)]);
    assertEquals((await store.latest("BTC/USD", "1m"))?.close, 102);
    await store.upsert([row(2, 7)]);
    assertEquals((await store.latest("BTC/USD", "1m"))?.close, 7, "the same key is replaced");
    assertEquals(await store.asOf("BTC/USD", "1m", T0 + 3 * MIN - 1), null);
    assert((await store.asOf("BTC/USD", "1m", T0 + 3 * MIN)) !== null);
    assertEquals(await store.latest("ETH/USD", "1m"), null);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("offline store: a second writer gets a clear error naming the file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/offline.duckdb`;
  const first = await DuckDbFeatureStore.open(path);
  try {
    const child = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { DuckDbFeatureStore } from "${new URL(
          "../../src/stores/offline_duckdb.ts",
          import.meta.url,
        )}";
         try { await DuckDbFeatureStore.open("${path}"); } catch (e) { console.log(e.message); }`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(child.stdout);
    assert(out.includes(path) && /another process/.test(out), out);
  } finally {
    first.close();
    await Deno.remove(dir, { recursive: true });
  }
});
