/**
 * The offline store's chunked reads, on a real DuckDB file: the same rows in the same order as the
 * reads that return everything at once, across slices, gaps and DuckDB's 2,048-row chunks; and an
 * abort that rejects rather than ending the read as if it were complete.
 */
import { assert, assertEquals } from "../assert.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { withTempDir } from "../task_process.ts";
import { BTC_MINUTES, MIN, T0, writeExportStore } from "../export_fixtures.ts";

async function withStore(fn: (store: DuckDbFeatureStore) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    await writeExportStore(`${dir}/offline.duckdb`);
    const store = await DuckDbFeatureStore.open(`${dir}/offline.duckdb`, { readOnly: true });
    try {
      await fn(store);
    } finally {
      store.close();
    }
  });
}

async function concat<T>(chunks: AsyncIterable<T[]>): Promise<T[]> {
  return (await Array.fromAsync(chunks)).flat();
}

Deno.test("rangeWithNewsChunks gives rangeWithNews's rows in its order, across slices, gaps and chunks", async () => {
  await withStore(async (store) => {
    const ranges: [string, "1m" | "5m", number?, number?][] = [
      ["BTC/USD", "1m"],
      ["BTC/USD", "1m", T0 + 24_000 * MIN, T0 + 66_000 * MIN],
      ["BTC/USD", "1m", T0 + 30_000 * MIN, T0 + 60_000 * MIN],
      ["ETH/USD", "1m"],
      ["BTC/USD", "5m", T0 + 7 * MIN],
    ];
    for (const [pair, window, from, to] of ranges) {
      const whole = await store.rangeWithNews(pair, window, from, to);
      assertEquals(await concat(store.rangeWithNewsChunks(pair, window, from, to)), whole);
    }
    const all = await concat(store.rangeWithNewsChunks("BTC/USD", "1m"));
    assertEquals(all.map((r) => (r.window_start - T0) / MIN), BTC_MINUTES);
    assert(
      all.some((r) => (r.news_count_24h ?? 0) > 0) && all.some((r) => (r.market_news_count_24h ?? 0) > 0),
    );
  });
});

Deno.test("an aborted chunked read rejects with the signal's reason instead of ending as if complete", async () => {
  await withStore(async (store) => {
    const controller = new AbortController();
    const reason = new DOMException("interrupted", "AbortError");
    // A series of one slice and two chunks: DuckDB's interrupted stream would end after the first.
    let rows = 0;
    let error: unknown;
    try {
      for await (
        const chunk of store.rangeWithNewsChunks("ETH/USD", "1m", undefined, undefined, controller.signal)
      ) {
        rows += chunk.length;
        controller.abort(reason);
      }
    } catch (e) {
      error = e;
    }
    assertEquals([error, rows], [reason, 2_048]);

    let early: unknown;
    await concat(store.tailChunks("BTC/USD", "1m", 10, AbortSignal.abort(reason))).catch((e) => early = e);
    assertEquals(early, reason);
    // The connection serves the next read whole.
    assertEquals((await concat(store.tailChunks("BTC/USD", "1m", 3))).length, 3);
  });
});

Deno.test("tailChunks gives tail's newest rows, oldest first, however many are asked for", async () => {
  await withStore(async (store) => {
    for (const n of [1, 10, 2_049, 30_000, 1_000_000]) {
      const rows = await concat(store.tailChunks("BTC/USD", "1m", n));
      assertEquals(rows, await store.tail("BTC/USD", "1m", n));
      assertEquals(rows.length, Math.min(n, BTC_MINUTES.length));
    }
    assertEquals(await concat(store.tailChunks("SOL/USD", "1m", 10)), []);
  });
});
