import { assert, assertEquals, assertRejects } from "../assert.ts";
import { KrakenRest } from "../../src/sources/kraken/rest_client.ts";
import { liveTrades, SubscriptionError } from "../../src/sources/kraken/live_trades.ts";
import type { Trade } from "../../src/domain/trade.ts";
import { essence, syntheticTrades, take, withSim } from "../helpers.ts";

const fastRest = (baseUrl: string) =>
  new KrakenRest({ baseUrl, rate: 200, backoff: { baseMs: 5, maxMs: 50 } });

/** Reads the live stream until `n` trades came, waits a little longer for strays, then stops it. */
async function collect(stream: ReadableStream<Trade>, controller: AbortController, n: number, ms: number) {
  const got = await take(stream, n, ms);
  const strays = await take(stream, 1, 400);
  controller.abort();
  return [...got, ...strays];
}

Deno.test("live trades: subscribe and receive the replay exactly, from a cursor at its start", async () => {
  const trades = syntheticTrades(300, { spanMs: 120_000 });
  await withSim(trades, { speed: 60, heartbeatMs: 100 }, async (sim, book) => {
    const controller = new AbortController();
    const { stream, stats } = liveTrades({
      pairs: ["BTC/USD"],
      rest: fastRest(sim.restUrl),
      wsUrl: sim.wsUrl,
      cursors: new Map([["BTC/USD", { ts: book.firstTs - 1, tradeId: null }]]),
      signal: controller.signal,
    });
    const got = await collect(stream, controller, 300, 15_000);
    assertEquals(got.map(essence), book.all.map(essence));
    assertEquals(stats.connections, 1);
    assert(stats.trades - stats.restTrades > 0, "some trades came over the WebSocket");
  });
});

Deno.test("live trades: drops, stalls and malformed frames lose nothing and double nothing", async () => {
  const trades = syntheticTrades(900, { pairs: ["BTC/USD", "ETH/USD"], spanMs: 300_000, seed: 5 });
  await withSim(
    trades,
    { speed: 60, heartbeatMs: 100, dropEverySec: 0.7, stallEverySec: 1.9, malformedEvery: 6 },
    async (sim, book) => {
      const controller = new AbortController();
      const start = { ts: book.firstTs - 1, tradeId: null };
      const { stream, stats } = liveTrades({
        pairs: ["BTC/USD", "ETH/USD"],
        rest: fastRest(sim.restUrl),
        wsUrl: sim.wsUrl,
        cursors: new Map([["BTC/USD", { ...start }], ["ETH/USD", { ...start }]]),
        idleTimeoutMs: 400,
        reconnect: { baseMs: 20, maxMs: 200 },
        signal: controller.signal,
      });
      const got = await collect(stream, controller, 900, 30_000);
      for (const pair of ["BTC/USD", "ETH/USD"]) {
        assertEquals(
          got.filter((t) => t.pair === pair).map(essence),
          book.byPair.get(pair)?.map(essence),
          `${pair} trades`,
        );
      }
      assert(
        sim.stats.drops > 0 && sim.stats.stalls > 0 && sim.stats.malformed > 0,
        JSON.stringify(sim.stats),
      );
      assert(stats.connections > 2, `reconnected (${stats.connections} connections)`);
      assert(stats.malformed > 0, "malformed frames were seen and counted");
      assertEquals(stats.missing, 0);
    },
  );
});

Deno.test("live trades: without a cursor, streaming starts after the exchange's latest trade", async () => {
  const trades = syntheticTrades(200, { spanMs: 40_000 });
  await withSim(trades, { speed: 20, heartbeatMs: 100 }, async (sim, book) => {
    await new Promise((r) => setTimeout(r, 300));
    const controller = new AbortController();
    const { stream } = liveTrades({
      pairs: ["BTC/USD"],
      rest: fastRest(sim.restUrl),
      wsUrl: sim.wsUrl,
      signal: controller.signal,
    });
    const got = await collect(stream, controller, 20, 10_000);
    assert(got.length > 0);
    const firstId = got[0]?.trade_id ?? 0;
    assert(firstId > 1, "trades from before the start were not replayed");
    assertEquals(got.map(essence), book.all.slice(firstId - 1, firstId - 1 + got.length).map(essence));
  });
});

Deno.test("live trades: a pair Kraken does not support fails clearly instead of retrying", async () => {
  await withSim(syntheticTrades(10), { speed: 1 }, async (sim) => {
    const { stream } = liveTrades({
      pairs: ["BTC/USD", "FOO/USD"],
      rest: fastRest(sim.restUrl),
      wsUrl: sim.wsUrl,
      cursors: new Map([["BTC/USD", { ts: 0, tradeId: null }], ["FOO/USD", { ts: 0, tradeId: null }]]),
    });
    await assertRejects(
      () => Array.fromAsync(stream),
      SubscriptionError,
      "Currency pair not supported FOO/USD",
    );
  });
});

Deno.test("live trades: an unreachable exchange is retried with backoff until the signal stops it", async () => {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const port = listener.addr.port;
  listener.close();
  await withSim(syntheticTrades(10), { speed: 1 }, async (sim) => {
    const controller = new AbortController();
    const { stream, stats } = liveTrades({
      pairs: ["BTC/USD"],
      rest: fastRest(sim.restUrl),
      wsUrl: `ws://127.0.0.1:${port}/v2`,
      cursors: new Map([["BTC/USD", { ts: 0, tradeId: null }]]),
      reconnect: { baseMs: 10, maxMs: 40 },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 500);
    assertEquals(await Array.fromAsync(stream), []);
    assertEquals(stats.connections, 0);
  });
});

Deno.test("live trades: a hole in the live trade ids is filled from REST before the next trade", async () => {
  const t = (id: number) => ({
    symbol: "BTC/USD",
    side: "buy",
    price: 100 + id,
    qty: 1,
    ord_type: "limit",
    trade_id: id,
    timestamp: new Date(1_700_000_000_000 + id * 1000).toISOString(),
  });
  // REST knows trades up to `restKnows`; the WebSocket sends 1, 2, then skips 3 and sends 4.
  let restKnows = 2;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/0/public/Trades") {
      const since = Number(BigInt(url.searchParams.get("since") ?? "0") / 1_000_000n);
      const rows = [1, 2, 3, 4].filter((id) => id <= restKnows && 1_700_000_000_000 + id * 1000 >= since)
        .map((id) => [String(100 + id), "1", 1_700_000_000 + id, "b", "l", "", id]);
      return Response.json({ error: [], result: { XXBTZUSD: rows, last: "0" } });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.method !== "subscribe") return;
      socket.send(JSON.stringify({
        method: "subscribe",
        result: { channel: "trade", symbol: "BTC/USD", snapshot: false },
        success: true,
        req_id: msg.req_id,
      }));
      socket.send(JSON.stringify({ channel: "trade", type: "update", data: [t(1), t(2)] }));
      setTimeout(() => {
        restKnows = 4;
        socket.send(JSON.stringify({ channel: "trade", type: "update", data: [t(4)] }));
      }, 100);
    };
    return response;
  });
  try {
    const controller = new AbortController();
    const { stream, stats } = liveTrades({
      pairs: ["BTC/USD"],
      rest: fastRest(`http://127.0.0.1:${server.addr.port}`),
      wsUrl: `ws://127.0.0.1:${server.addr.port}/v2`,
      cursors: new Map([["BTC/USD", { ts: 1_700_000_000_000, tradeId: 0 }]]),
      signal: controller.signal,
    });
    const got = await take(stream, 4, 5_000);
    controller.abort();
    assertEquals(got.map((x) => [x.trade_id, x.price]), [[1, 101], [2, 102], [3, 103], [4, 104]]);
    assertEquals(stats.gaps, 1);
    assertEquals(stats.duplicates, 2, "WS trades 1 and 2 had come from REST already");
  } finally {
    await server.shutdown();
  }
});
