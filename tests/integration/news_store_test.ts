import { DuckDBInstance } from "@duckdb/node-api";
import { assertAlmostEquals, assertEquals } from "../assert.ts";
import type { FeatureRow } from "../../src/domain/feature_row.ts";
import { INDICATOR_COLUMNS, MARKET_NEWS_COLUMNS, NEWS_COLUMNS } from "../../src/domain/feature_row.ts";
import { MARKET, type NewsSignal } from "../../src/domain/news.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { KvFeatureStore } from "../../src/stores/online_kv.ts";
import {
  addSignal,
  initialNewsState,
  marketNewsFeaturesAt,
  newsFeaturesAt,
} from "../../src/transforms/news_features.ts";
import { prng } from "../helpers.ts";

const MIN = 60_000;
const T0 = Date.UTC(2025, 1, 26);

function row(i: number, pair = "BTC/USD"): FeatureRow {
  const close = 100 + i;
  const base = {
    pair,
    window: "1m" as const,
    window_start: T0 + i * MIN,
    window_end: T0 + (i + 1) * MIN,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    vwap: close,
    trades: 1,
    buy_volume: 1,
    sell_volume: 0,
    warm: true,
  };
  return { ...base, ...Object.fromEntries(INDICATOR_COLUMNS.map((c) => [c, 1])) } as FeatureRow;
}

const sig = (id: string, at: number, signal: -1 | 0 | 1, coin = "BTC"): NewsSignal => ({
  news_id: id,
  coin,
  signal,
  score: 0.8,
  model: "test",
  published_at: at,
  known_at: at,
});

Deno.test("offline store: a headline one second after a candle's close is not in that candle's news columns", async () => {
  const store = await DuckDbFeatureStore.open(":memory:");
  try {
    await store.upsert([row(0), row(1), row(2)]);
    await store.putSignals([
      sig("a", T0 + 30_000, 1),
      sig("late", T0 + MIN + 1000, -1),
      sig("eth", T0, -1, "ETH"),
    ]);
    const [r0, r1, r2] = await store.rangeWithNews("BTC/USD", "1m");
    assertEquals([r0!.news_count_1h, r0!.news_signal_sum_1h, r0!.news_minutes_since_signal], [1, 1, 0.5]);
    assertEquals([r1!.news_count_1h, r1!.news_signal_sum_1h, r1!.news_signal_mean_1h], [2, 0, 0]);
    assertAlmostEquals(r1!.news_minutes_since_signal!, (2 * MIN - MIN - 1000) / MIN);
    assertEquals(r2!.news_count_24h, 2);
    // A signal stored again (redelivered, or reclassified) replaces itself rather than counting twice.
    await store.putSignals([sig("a", T0 + 30_000, 1)]);
    assertEquals((await store.rangeWithNews("BTC/USD", "1m"))[2]!.news_count_24h, 2);
  } finally {
    store.close();
  }
});

Deno.test("offline store: the SQL news columns equal the streaming computation on random signals", async () => {
  const store = await DuckDbFeatureStore.open(":memory:");
  const rand = prng(7);
  try {
    const rows = Array.from({ length: 30 * 60 }, (_, i) => row(i));
    await store.upsert(rows);
    const signals: NewsSignal[] = [];
    for (let k = 0; k < 300; k++) {
      const at = T0 - 26 * 3_600_000 + Math.floor(rand() * 56 * 3_600_000);
      signals.push(
        sig(`n${k}`, at, ([-1, 0, 1] as const)[Math.floor(rand() * 3)]!, rand() < 0.8 ? "BTC" : "ETH"),
      );
    }
    await store.putSignals(signals);
    const state = initialNewsState();
    for (const s of signals) addSignal(state, s);
    const stored = await store.rangeWithNews("BTC/USD", "1m");
    assertEquals(stored.length, rows.length);
    for (const r of stored) {
      const want = newsFeaturesAt(state, "BTC", r.window_end);
      for (const c of NEWS_COLUMNS) {
        if (want[c] === null) assertEquals(r[c], null, `${c} at ${r.window_end}`);
        else assertAlmostEquals(r[c]!, want[c]!, 1e-9, `${c} at ${r.window_end}`);
      }
    }
  } finally {
    store.close();
  }
});

Deno.test("online store: news columns of the latest row equal the offline store's, reclassification included", async () => {
  const offline = await DuckDbFeatureStore.open(":memory:");
  const online = await KvFeatureStore.open(":memory:");
  const rand = prng(11);
  try {
    const signals: NewsSignal[] = [];
    for (let k = 0; k < 120; k++) {
      // Mostly neutral, so "minutes since the last non-zero signal" often reaches back past 24 hours.
      const signal = rand() < 0.8 ? 0 : rand() < 0.5 ? -1 : 1;
      signals.push(sig(`n${k}`, T0 - 72 * 3_600_000 + Math.floor(rand() * 80 * 3_600_000), signal));
    }
    for (const store of [offline, online]) {
      await store.putSignals(signals);
      // The same headline classified again, now neutral: it replaces the first signal.
      await store.putSignals([{ ...signals[3]!, signal: 0 }]);
    }
    assertEquals((await online.signals("BTC")).length, 120);
    for (let i = 0; i < 8 * 60; i += 7) {
      await offline.upsert([row(i)]);
      await online.upsert([row(i)]);
      const want =
        (await offline.rangeWithNews("BTC/USD", "1m", row(i).window_start, row(i).window_start + 1))[0]!;
      const got = (await online.latestWithNews("BTC/USD", "1m"))!;
      for (const c of NEWS_COLUMNS) {
        if (want[c] === null) assertEquals(got[c], null, c);
        else assertAlmostEquals(got[c]!, want[c]!, 1e-9, `${c} at row ${i}`);
      }
    }
  } finally {
    offline.close();
    online.close();
  }
});

Deno.test("both stores: market-wide columns for every pair, and a market headline after a close is not in that candle", async () => {
  const offline = await DuckDbFeatureStore.open(":memory:");
  const online = await KvFeatureStore.open(":memory:");
  try {
    const signals = [
      sig("m", T0 + 30_000, 1, MARKET),
      sig("future", T0 + MIN + 1000, -1, MARKET),
      sig("b", T0 + 10_000, 1, "BTC"),
    ];
    await offline.putSignals(signals);
    await online.putSignals(signals);
    const want = [
      // Row 0 closes at T0 + 1 min: the future headline is a second after it.
      { market_news_count_1h: 1, market_news_signal_sum_1h: 1, market_news_minutes_since_signal: 0.5 },
      { market_news_count_1h: 2, market_news_signal_sum_1h: 0, market_news_minutes_since_signal: 59 / 60 },
    ];
    for (const pair of ["BTC/USD", "ETH/USD"]) {
      await offline.upsert([row(0, pair), row(1, pair), row(2, pair)]);
      const stored = await offline.rangeWithNews(pair, "1m");
      const training = await offline.trainingRows(pair, "1m", MIN);
      for (const i of [0, 1]) {
        await online.upsert([row(i, pair)]);
        const served = await online.modelRow(pair, "1m");
        for (
          const [name, got] of [["range", stored[i]], ["training", training[i]], ["online", served]] as const
        ) {
          for (const [c, v] of Object.entries(want[i]!)) {
            assertAlmostEquals(
              got![c as keyof typeof got] as number,
              v,
              1e-9,
              `${pair} ${name} row ${i} ${c}`,
            );
          }
        }
      }
      // The pair's own coin's columns never count market-wide signals.
      assertEquals(stored[1]!.news_count_24h, pair === "BTC/USD" ? 1 : 0);
    }
  } finally {
    offline.close();
    online.close();
  }
});

Deno.test("both stores: market-wide columns equal the streaming computation on random signals", async () => {
  const offline = await DuckDbFeatureStore.open(":memory:");
  const online = await KvFeatureStore.open(":memory:");
  const rand = prng(13);
  try {
    const signals: NewsSignal[] = [];
    for (let k = 0; k < 240; k++) {
      const coin = rand() < 0.5 ? MARKET : rand() < 0.5 ? "BTC" : "ETH";
      // Mostly neutral, so "minutes since the last non-zero signal" often reaches back past 24 hours.
      const signal = rand() < 0.7 ? 0 : rand() < 0.5 ? -1 : 1;
      signals.push(sig(`n${k}`, T0 - 72 * 3_600_000 + Math.floor(rand() * 80 * 3_600_000), signal, coin));
    }
    await offline.putSignals(signals);
    await online.putSignals(signals);
    const state = initialNewsState();
    for (const s of signals) addSignal(state, s);
    for (const pair of ["BTC/USD", "ETH/USD"]) {
      await offline.upsert(Array.from({ length: 8 * 60 }, (_, i) => row(i, pair)));
      const stored = await offline.rangeWithNews(pair, "1m");
      for (let i = 0; i < stored.length; i += 7) {
        const r = stored[i]!;
        const want = {
          ...newsFeaturesAt(state, pair.split("/")[0]!, r.window_end),
          ...marketNewsFeaturesAt(state, r.window_end),
        };
        await online.upsert([row(i, pair)]);
        const served = (await online.latestWithNews(pair, "1m"))!;
        for (const c of [...NEWS_COLUMNS, ...MARKET_NEWS_COLUMNS]) {
          for (const [name, got] of [["offline", r[c]], ["online", served[c]]] as const) {
            if (want[c] === null) assertEquals(got, null, `${pair} ${name} ${c} at row ${i}`);
            else assertAlmostEquals(got!, want[c]!, 1e-9, `${pair} ${name} ${c} at row ${i}`);
          }
        }
      }
    }
  } finally {
    offline.close();
    online.close();
  }
});

Deno.test("both stores: a large batch of signals lands whole, the last of a repeated key kept", async () => {
  const offline = await DuckDbFeatureStore.open(":memory:");
  const online = await KvFeatureStore.open(":memory:");
  try {
    // More signals than one Deno KV commit takes, one of them repeated with another label.
    const signals = Array.from(
      { length: 1200 },
      (_, k) => sig(`n${k}`, T0 + k * 1000, 1, k % 2 ? "ETH" : MARKET),
    );
    const batch = [...signals, { ...signals[10]!, signal: -1 as const, score: 0.6 }];
    for (const store of [offline, online]) {
      await store.putSignals(batch);
      const market = await store.signals(MARKET);
      assertEquals([market.length, (await store.signals("ETH")).length], [600, 600]);
      assertEquals([market[5]!.news_id, market[5]!.signal, market[5]!.score], ["n10", -1, 0.6]);
    }
  } finally {
    offline.close();
    online.close();
  }
});

Deno.test("both stores count a polled headline from its fetch, keep its first known time when it comes again, and agree row for row", async () => {
  const offline = await DuckDbFeatureStore.open(":memory:");
  const online = await KvFeatureStore.open(":memory:");
  try {
    // Published 20 s into row 0, first fetched 30 s after row 0 closed.
    const polled = { ...sig("polled", T0 + 20_000, -1), known_at: T0 + 90_000 };
    for (const store of [offline, online]) {
      await store.putSignals([sig("hist", T0 + 10_000, 1), polled]);
      // The same headline again, as the posts paged back through after a crash bring it: history.
      await store.putSignals([{ ...polled, score: 0.6, known_at: polled.published_at }]);
    }
    for (const store of [offline, online]) {
      const stored = (await store.signals("BTC")).map((s) => [s.news_id, s.known_at, s.score]);
      assertEquals(stored, [["hist", T0 + 10_000, 0.8], ["polled", T0 + 90_000, 0.6]]);
    }
    const want = [
      // Row 0 closes at T0 + 1 min, before the polled headline was fetched.
      { news_count_1h: 1, news_signal_sum_1h: 1, news_minutes_since_signal: 50 / 60 },
      { news_count_1h: 2, news_signal_sum_1h: 0, news_minutes_since_signal: 0.5 },
    ];
    await offline.upsert([row(0), row(1), row(2)]);
    const training = await offline.trainingRows("BTC/USD", "1m", MIN);
    for (const i of [0, 1]) {
      await online.upsert([row(i)]);
      const served = await online.modelRow("BTC/USD", "1m");
      for (const [name, got] of [["training", training[i]], ["online", served]] as const) {
        for (const [c, v] of Object.entries(want[i]!)) {
          assertAlmostEquals(got![c as keyof typeof got] as number, v, 1e-9, `${name} row ${i} ${c}`);
        }
      }
    }
  } finally {
    offline.close();
    online.close();
  }
});

Deno.test("a KV signal stored before known times stays known when published when it comes again from a poll", async () => {
  const online = await KvFeatureStore.open(":memory:");
  try {
    // As the online store kept signals before: keyed by publication, no known-time index.
    await online.kv.set(["news", "BTC", T0 + 10_000, "old"], { signal: 1, score: 0.9, model: "m" });
    assertEquals((await online.signals("BTC")).map((s) => [s.news_id, s.published_at, s.known_at]), [
      ["old", T0 + 10_000, T0 + 10_000],
    ]);
    await online.putSignals([{ ...sig("old", T0 + 10_000, -1), known_at: T0 + 90_000 }]);
    const stored = await online.signals("BTC");
    assertEquals(stored.map((s) => [s.news_id, s.known_at, s.signal]), [["old", T0 + 10_000, -1]]);
  } finally {
    online.close();
  }
});

Deno.test("a store written before known times reads its signals as known when published, read-only or upgraded", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/offline.duckdb`;
  try {
    const db = await DuckDBInstance.create(path);
    const conn = await db.connect();
    await conn.run(
      `CREATE TABLE news_signals (news_id VARCHAR, coin VARCHAR, signal INTEGER, score DOUBLE,
        model VARCHAR, published_at BIGINT, PRIMARY KEY (news_id, coin))`,
    );
    await conn.run(`INSERT INTO news_signals VALUES ('old', 'BTC', 1, 0.9, 'm', ${T0 + 10_000})`);
    conn.closeSync();
    db.closeSync();
    // Written with a feature row by a store of today, minus the column, as an old version left it.
    const seeded = await DuckDbFeatureStore.open(path);
    await seeded.upsert([row(0), row(1)]);
    seeded.close();
    const strip = await DuckDBInstance.create(path);
    const c = await strip.connect();
    await c.run(`ALTER TABLE news_signals DROP COLUMN known_at`);
    c.closeSync();
    strip.closeSync();

    const readOnly = await DuckDbFeatureStore.open(path, { readOnly: true });
    try {
      assertEquals((await readOnly.trainingRows("BTC/USD", "1m", MIN))[0]!.news_count_1h, 1);
      assertEquals((await readOnly.rangeWithNews("BTC/USD", "1m"))[0]!.news_count_1h, 1);
      assertEquals((await readOnly.signals("BTC"))[0]!.known_at, T0 + 10_000);
    } finally {
      readOnly.close();
    }
    const upgraded = await DuckDbFeatureStore.open(path);
    try {
      assertEquals((await upgraded.signals("BTC"))[0]!.known_at, T0 + 10_000);
      assertEquals((await upgraded.trainingRows("BTC/USD", "1m", MIN))[0]!.news_count_1h, 1);
    } finally {
      upgraded.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
