/** Batch upserts into both feature stores: which row a key keeps, batch sizes, odd values. */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { withTempDir } from "../task_process.ts";
import type { Window } from "../../src/domain/candle.ts";
import { type FeatureRow, INDICATOR_COLUMNS } from "../../src/domain/feature_row.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { KvFeatureStore } from "../../src/stores/online_kv.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** Row `i` of a 1m series with every indicator column filled. */
function row(i: number, close = 100 + i, pair = "BTC/USD", window: Window = "1m"): FeatureRow {
  const span = window === "1m" ? MIN : 5 * MIN;
  const base = {
    pair,
    window,
    window_start: T0 + i * span,
    window_end: T0 + (i + 1) * span,
    open: close - 0.5,
    high: close + 1,
    low: close - 1,
    close,
    volume: 1.5 + i / 7,
    vwap: close - 0.25,
    trades: 3 + i,
    buy_volume: 1,
    sell_volume: 0.5,
    warm: true,
  };
  const ind = Object.fromEntries(INDICATOR_COLUMNS.map((c, j) => [c, close / (j + 3)]));
  return { ...base, ...ind } as FeatureRow;
}

async function offline(fn: (store: DuckDbFeatureStore) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const store = await DuckDbFeatureStore.open(`${dir}/offline.duckdb`);
    try {
      await fn(store);
    } finally {
      store.close();
    }
  });
}

async function online(fn: (store: KvFeatureStore) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const store = await KvFeatureStore.open(`${dir}/online.kv`);
    try {
      await fn(store);
    } finally {
      store.close();
    }
  });
}

Deno.test("offline store: of rows sharing a key in one batch, the last one is kept", async () => {
  await offline(async (store) => {
    await store.upsert([row(0, 1), row(1), row(0, 2), row(2), row(0, 3)]);
    const rows = await store.range("BTC/USD", "1m");
    assertEquals(rows.map((r) => r.window_start), [T0, T0 + MIN, T0 + 2 * MIN]);
    assertEquals(rows[0], row(0, 3));
  });
});

Deno.test("offline store: a batch larger than any internal chunk lands whole, each key once", async () => {
  await offline(async (store) => {
    const n = 2500;
    const first = Array.from({ length: n }, (_, i) => row(i));
    // Rewrites of keys near both ends of the batch, after the rows they replace.
    const rewrites = [0, 1, 2047, 2048, 2049, n - 1].map((i) => row(i, 5_000 + i));
    await store.upsert([...first, ...rewrites, row(n - 1, 9)]);
    const rows = await store.range("BTC/USD", "1m");
    assertEquals(rows.length, n);
    assertEquals(rows[2048], row(2048, 7_048));
    assertEquals(rows[n - 1], row(n - 1, 9));
    assertEquals(rows[1000], row(1000));
    assertEquals((await store.counts())[0]?.rows, n);
  });
});

Deno.test("offline store: a value DuckDB must convert past the first chunk of a new series lands every row once", async () => {
  await offline(async (store) => {
    const n = 2100;
    const rows = Array.from({ length: n }, (_, i) => row(i));
    rows[2050] = { ...row(2050), close: "101.5" } as unknown as FeatureRow;
    await store.upsert(rows);
    const stored = await store.range("BTC/USD", "1m");
    assertEquals(stored.length, n);
    assertEquals(stored[0], row(0));
    assertEquals(stored[2050]?.close, 101.5);
    await store.upsert([row(n)]);
    assertEquals((await store.counts())[0]?.rows, n + 1);
  });
});

Deno.test("offline store: nulls and values of one batch never carry into the next one", async () => {
  await offline(async (store) => {
    const cold = (i: number) =>
      ({
        ...row(i),
        ...Object.fromEntries(INDICATOR_COLUMNS.map((c) => [c, null])),
        warm: false,
      }) as FeatureRow;
    const batches = [
      [0, 1, 2].map(cold),
      [3, 4, 5].map((i) => row(i)),
      [6, 7, 8].map(cold),
      [9, 10, 11, 12, 13].map((i) => row(i)),
      [14, 15].map(cold),
      Array.from({ length: 2100 }, (_, i) => row(16 + i)),
      [2116].map(cold),
    ];
    for (const batch of batches) await store.upsert(batch);
    assertEquals(await store.range("BTC/USD", "1m"), batches.flat());
  });
});

Deno.test("offline store: many batches of one size with pair names too long to inline keep every name", async () => {
  await offline(async (store) => {
    const pairs = ["LONGNAMECOIN/USDT", "ANOTHERLONGCOIN/EUR"];
    const batches = Array.from({ length: 150 }, (_, b) => pairs.map((p) => row(b, 100 + b, p)));
    for (const batch of batches) await store.upsert(batch);
    for (const p of pairs) {
      assertEquals(await store.range(p, "1m"), batches.map((batch) => batch.find((r) => r.pair === p)));
    }
  });
});

Deno.test("offline store: an upsert replaces every column of an existing row", async () => {
  await offline(async (store) => {
    await store.upsert([row(0), row(1), row(2)]);
    const replacement = { ...row(1, 55), warm: false, rsi_14: null, trades: 0 };
    await store.upsert([replacement]);
    assertEquals(await store.range("BTC/USD", "1m"), [row(0), replacement, row(2)]);
  });
});

Deno.test("offline store: a store reopened on its file replaces the rows written before", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/offline.duckdb`;
    const first = await DuckDbFeatureStore.open(path);
    await first.upsert([0, 1, 2].map((i) => row(i)));
    await first.upsert([row(0, 5, "ETH/USD")]);
    first.close();
    const store = await DuckDbFeatureStore.open(path);
    try {
      await store.upsert([row(2, 7), row(3)]);
      await store.upsert([row(0, 6, "ETH/USD"), row(1, 8, "ETH/USD")]);
      assertEquals(await store.range("BTC/USD", "1m"), [row(0), row(1), row(2, 7), row(3)]);
      assertEquals(await store.range("ETH/USD", "1m"), [row(0, 6, "ETH/USD"), row(1, 8, "ETH/USD")]);
    } finally {
      store.close();
    }
  });
});

Deno.test("offline store: NaN, infinities and nulls in feature columns round-trip, and -0 is 0", async () => {
  await offline(async (store) => {
    const odd = {
      ...row(0),
      rsi_14: Number.NaN,
      macd: Number.POSITIVE_INFINITY,
      macd_hist: Number.NEGATIVE_INFINITY,
      sma_7: null,
      sma_14: -0,
      obv: -0.000001,
    };
    const cold = { ...row(1), ...Object.fromEntries(INDICATOR_COLUMNS.map((c) => [c, null])), warm: false };
    await store.upsert([odd, cold as FeatureRow]);
    const [a, b] = await store.range("BTC/USD", "1m");
    assert(Number.isNaN(a?.rsi_14), String(a?.rsi_14));
    assertEquals(a, { ...odd, sma_14: 0 }, "-0 is stored as 0");
    assertEquals(b, cold);
  });
});

Deno.test("offline store: an empty batch writes nothing and fails nothing", async () => {
  await offline(async (store) => {
    await store.upsert([]);
    assertEquals(await store.counts(), []);
    await store.upsert([row(0)]);
    await store.upsert([]);
    assertEquals(await store.range("BTC/USD", "1m"), [row(0)]);
  });
});

Deno.test("offline store: values of other types are converted or refused as DuckDB does, and a refused batch leaves nothing behind", async () => {
  await offline(async (store) => {
    const loose = { ...row(0), trades: "7", close: "101.5" } as unknown as FeatureRow;
    await store.upsert([loose]);
    const stored = await store.latest("BTC/USD", "1m");
    assertEquals([stored?.trades, stored?.close], [7, 101.5]);

    const bad = { ...row(2), close: "abc" } as unknown as FeatureRow;
    const good = Array.from({ length: 250 }, (_, i) => row(10 + i));
    const e = await assertRejects(
      () => store.upsert([...good, bad]),
      Error,
      "Could not convert string 'abc'",
    );
    assert(/Conversion Error/.test(e.message), e.message);
    await assertRejects(
      () => store.upsert([{ ...row(3), window_start: Number.NaN }]),
      Error,
      "destination type INT64",
    );
    await assertRejects(
      () => store.upsert([{ ...row(4), pair: null } as unknown as FeatureRow]),
      Error,
      "NOT NULL constraint failed: features.pair",
    );
    await assertRejects(
      () => store.upsert([{ ...row(6), macd: undefined } as unknown as FeatureRow]),
      Error,
      "Cannot create values of type ANY",
    );
    // Nothing of the refused batches, and nothing of them comes back with the next one.
    await store.upsert([row(5)]);
    assertEquals((await store.range("BTC/USD", "1m")).map((r) => r.window_start), [T0, T0 + 5 * MIN]);
  });
});

Deno.test("offline store: a key of another type is compared as DuckDB converts it, the last row still winning", async () => {
  await offline(async (store) => {
    const asText = (r: FeatureRow) =>
      ({ ...r, window_start: String(r.window_start) }) as unknown as FeatureRow;
    await store.upsert([row(0, 1), asText(row(0, 2)), row(1, 3)]);
    await store.upsert([asText(row(2, 4)), row(2, 5)]);
    await store.upsert([row(1, 6)]);
    assertEquals(await store.range("BTC/USD", "1m"), [row(0, 2), row(1, 6), row(2, 5)]);
  });
});

Deno.test("offline store: concurrent upserts are applied whole, in the order they were called", async () => {
  await offline(async (store) => {
    const a = Array.from({ length: 300 }, (_, i) => row(i, 1));
    const b = Array.from({ length: 300 }, (_, i) => row(i, 2));
    await Promise.all([store.upsert(a), store.upsert(b), store.upsert([row(5, 3)])]);
    const rows = await store.range("BTC/USD", "1m");
    assertEquals(rows.length, 300);
    assertEquals(rows.filter((r) => r.close === 2).length, 299);
    assertEquals(rows[5]?.close, 3);
  });
});

Deno.test("offline store: a writer keeps up to 64 MB of log before it checkpoints, not DuckDB's 16 MB", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/offline.duckdb`;
    const store = await DuckDbFeatureStore.open(path);
    try {
      for (let i = 0; i < 100_000; i += 10_000) {
        await store.upsert(Array.from({ length: 10_000 }, (_, k) => row(i + k)));
      }
      const log = (await Deno.stat(`${path}.wal`)).size;
      assert(log > 16 * 2 ** 20 && log < 64 * 2 ** 20, `log of ${log} bytes`);
    } finally {
      store.close();
    }
  });
});

Deno.test("offline store: rows committed before the writing process is killed are there when the store is reopened", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/offline.duckdb`;
    const writer = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { DuckDbFeatureStore } from "${ROOT}src/stores/offline_duckdb.ts";
         const rows = JSON.parse(${JSON.stringify(JSON.stringify([0, 1, 2].map((i) => row(i))))});
         const s = await DuckDbFeatureStore.open(${JSON.stringify(path)});
         await s.upsert(rows.slice(0, 2));
         await s.upsert(rows.slice(2));
         Deno.kill(Deno.pid, "SIGKILL");`,
      ],
      cwd: ROOT,
      stderr: "piped",
    });
    const { signal, stderr } = await writer.output();
    assertEquals(signal, "SIGKILL", new TextDecoder().decode(stderr));
    const store = await DuckDbFeatureStore.open(path, { readOnly: true });
    try {
      assertEquals(await store.range("BTC/USD", "1m"), [0, 1, 2].map((i) => row(i)));
    } finally {
      store.close();
    }
  });
});

Deno.test("online store: a batch bigger than an atomic commit keeps history and the newest row of every series", async () => {
  await online(async (store) => {
    const pairs = Array.from({ length: 12 }, (_, p) => `C${p}/USD`);
    const rows = pairs.flatMap((p) => Array.from({ length: 130 }, (_, i) => row(i, 100 + i, p)));
    rows.push(...Array.from({ length: 700 }, (_, i) => row(i, 200 + i, "BTC/USD", "5m")));
    await store.upsert(rows);
    for (const p of pairs) {
      assertEquals(await store.latest(p, "1m"), row(129, 229, p));
      assertEquals(
        await store.recent(p, "1m", 500),
        Array.from({ length: 130 }, (_, i) => row(i, 100 + i, p)),
      );
    }
    assertEquals(await store.latest("BTC/USD", "5m"), row(699, 899, "BTC/USD", "5m"));
    const recent = await store.recent("BTC/USD", "5m", 1000);
    assertEquals(recent.length, 500, "the history keeps the last 500 windows");
    assertEquals(recent[0], row(200, 400, "BTC/USD", "5m"));
  });
});

Deno.test("online store: of rows sharing a key in one batch, the last one is kept", async () => {
  await online(async (store) => {
    await store.upsert([row(1, 1), row(0), row(1, 2), row(1, 3)]);
    assertEquals(await store.latest("BTC/USD", "1m"), row(1, 3));
    assertEquals(await store.recent("BTC/USD", "1m", 10), [row(0), row(1, 3)]);
  });
});

Deno.test("online store: an upsert replaces a stored row; NaN and nulls round-trip; an empty batch writes nothing", async () => {
  await online(async (store) => {
    await store.upsert([]);
    assertEquals(await store.latest("BTC/USD", "1m"), null);
    await store.upsert([row(0), row(1)]);
    const replacement = { ...row(1, 7), rsi_14: Number.NaN, macd: null, warm: false };
    await store.upsert([replacement]);
    await store.upsert([]);
    const latest = await store.latest("BTC/USD", "1m");
    assert(Number.isNaN(latest?.rsi_14), String(latest?.rsi_14));
    assertEquals(latest, replacement);
    assertEquals(await store.recent("BTC/USD", "1m", 10), [row(0), replacement]);
  });
});

Deno.test("online store: rows too large to commit together are written in smaller commits", async () => {
  await online(async (store) => {
    // About 2.5 KB each: 500 of them are past Deno KV's 800 KiB for one commit.
    const big = (i: number) => ({ ...row(i), note: "x".repeat(2_500) }) as FeatureRow;
    const rows = Array.from({ length: 520 }, (_, i) => big(i));
    await store.upsert(rows);
    assertEquals((await store.recent("BTC/USD", "1m", 500)).length, 500);
    assertEquals(await store.latest("BTC/USD", "1m"), big(519));
  });
});
