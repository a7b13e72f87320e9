/**
 * A trade-file backfill writes the online store once, when the file ends or the run stops: the
 * store it leaves must be the one writing every row as it comes would have left, and after a
 * failure it must hold what the offline store holds.
 */
import { assertEquals, assertRejects } from "../assert.ts";
import { assertOnlineHasOfflineNewest, burstyTrades } from "../helpers.ts";
import type { Trade } from "../../src/domain/trade.ts";
import { drainTrades } from "../../src/jobs/drain_trades.ts";
import { onlineKvPath } from "../../src/stores/feature_stores.ts";
import { initialFeatureState } from "../../src/transforms/features.ts";

const WINDOWS = ["1m", "5m"] as const;

/** Every online entry of a data dir's features, as [key, value] JSON. */
async function onlineEntries(dataDir: string): Promise<string[]> {
  const kv = await Deno.openKv(onlineKvPath(dataDir));
  try {
    const out: string[] = [];
    for await (const e of kv.list({ prefix: ["features"] })) out.push(JSON.stringify([e.key, e.value]));
    return out;
  } finally {
    kv.close();
  }
}

async function drain(
  dataDir: string,
  source: ReadableStream<Trade | readonly Trade[]>,
  onlineAtEnd: boolean,
) {
  const cfg = { bus: "embedded", dataDir, windows: WINDOWS, graceMs: 5000 } as unknown as Parameters<
    typeof drainTrades
  >[0];
  await drainTrades(cfg, source, {
    features: initialFeatureState({ windows: WINDOWS, graceMs: 5000 }),
    lastTradeId: {},
    batching: { size: 700, ms: 60_000 },
    sink: {},
    onlineAtEnd,
    signal: new AbortController().signal,
  });
}

// Two pairs, long enough that each 1m series passes the 500 recent rows the online store keeps.
const trades = [
  ...burstyTrades(1_300),
  ...burstyTrades(1_300, { pair: "ETH/USD", seed: 5, start: Date.UTC(2024, 0, 1, 0, 3) }),
].sort((a, b) => a.ts - b.ts);

Deno.test("written once at the end, in arrays, the online store is the one every row written as it came leaves", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await drain(`${dir}/each`, ReadableStream.from(trades), false);
    const arrays = Array.from(
      { length: Math.ceil(trades.length / 997) },
      (_, i) => trades.slice(i * 997, (i + 1) * 997),
    );
    await drain(`${dir}/end`, ReadableStream.from(arrays), true);
    const each = await onlineEntries(`${dir}/each`);
    const recent1m = each.filter((e) => e.startsWith('[["features","recent","BTC/USD","1m"')).length;
    assertEquals(recent1m, 500, "the series is longer than the recent history");
    assertEquals(await onlineEntries(`${dir}/end`), each);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run that fails part way leaves the online store with the newest rows the offline store has", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let sent = 0;
    const failing = new ReadableStream<Trade>({
      pull(c) {
        if (sent === 9_000) return c.error(new Error("the file went away"));
        c.enqueue(trades[sent++]!);
      },
    });
    await assertRejects(() => drain(`${dir}/end`, failing, true), Error, "the file went away");
    await assertOnlineHasOfflineNewest(`${dir}/end`, ["BTC/USD", "ETH/USD"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
