import { assert, assertEquals, assertRejects } from "../assert.ts";
import { KrakenRest } from "../../src/sources/kraken/rest_client.ts";
import { KrakenApiError } from "../../src/sources/kraken/rest_messages.ts";
import { type Cursor, tradesAfter } from "../../src/sources/kraken/rest_trades.ts";
import { essence, syntheticTrades, withSim } from "../helpers.ts";

const fast = { rate: 1000, backoff: { baseMs: 5, maxMs: 50 } };

Deno.test("REST paging returns every trade once across overlapping pages, also when throttled", async () => {
  // Many trades share a millisecond, so each page boundary is returned twice by the server.
  const trades = syntheticTrades(2_500, { spanMs: 400_000 });
  for (const throttleEvery of [0, 2]) {
    await withSim(trades, { speed: 1e9, throttleEvery }, async (sim, book) => {
      const rest = new KrakenRest({ baseUrl: sim.restUrl, ...fast });
      const cursor: Cursor = { ts: book.firstTs, tradeId: null };
      const got = await Array.fromAsync(tradesAfter(rest, "BTC/USD", cursor));
      assertEquals(got.map(essence), book.all.map(essence));
      assertEquals(cursor.tradeId, 2_500);
      assert(rest.stats.requests >= 3);
      if (throttleEvery) assert(rest.stats.throttled > 0 && sim.stats.rest.throttled > 0);
    });
  }
});

Deno.test("REST paging stops before --to and resumes from a cursor without repeats", async () => {
  const trades = syntheticTrades(1_200, { spanMs: 200_000 });
  await withSim(trades, { speed: 1e9 }, async (sim, book) => {
    const rest = new KrakenRest({ baseUrl: sim.restUrl, ...fast });
    const to = (book.all[700] as { ts: number }).ts;
    const cursor: Cursor = { ts: book.firstTs, tradeId: null };
    const first = await Array.fromAsync(tradesAfter(rest, "BTC/USD", cursor, { to }));
    assert(first.every((t) => t.ts < to));
    const rest2 = await Array.fromAsync(tradesAfter(rest, "BTC/USD", { ...cursor }));
    assertEquals([...first, ...rest2].map(essence), book.all.map(essence));
  });
});

/** A fake Kraken that answers from a script of responses, one per request. */
async function withFake(
  script: ((url: URL) => Response)[],
  fn: (baseUrl: string, calls: URL[]) => Promise<void>,
): Promise<void> {
  const calls: URL[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const url = new URL(req.url);
    calls.push(url);
    const step = script[Math.min(calls.length - 1, script.length - 1)] as (u: URL) => Response;
    return step(url);
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, calls);
  } finally {
    await server.shutdown();
  }
}

const row = (id: number, sec: number) => ["100.0", "1.0", sec, "b", "l", "", id];
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

Deno.test("REST client retries 429 (Retry-After), 5xx and network-level garbage status, then succeeds", async () => {
  await withFake([
    () => json({ error: ["EAPI:Rate limit exceeded"] }, 429, { "retry-after": "0" }),
    () => new Response("bad gateway", { status: 502 }),
    () => json({ error: ["EService:Unavailable"] }),
    () => json({ error: [], result: { XXBTZUSD: [row(1, 1_600_000_000.5)], last: "1600000000500000000" } }),
  ], async (baseUrl, calls) => {
    const rest = new KrakenRest({ baseUrl, ...fast });
    const page = await rest.trades("BTC/USD", "0");
    assertEquals(page.trades.map((t) => t.trade_id), [1]);
    assertEquals(calls.length, 4);
    assertEquals(calls[0]?.searchParams.get("pair"), "XBTUSD");
    assertEquals(calls[0]?.searchParams.get("count"), "1000");
    assertEquals(rest.stats.throttled, 2);
  });
});

Deno.test("REST client fails at once, naming the URL, on errors that retrying cannot fix", async () => {
  await withFake([() => json({ error: ["EQuery:Unknown asset pair"] })], async (baseUrl, calls) => {
    const rest = new KrakenRest({ baseUrl, ...fast });
    await assertRejects(() => rest.trades("FOO/USD", undefined), KrakenApiError, "EQuery:Unknown asset pair");
    assertEquals(calls.length, 1);
  });
  await withFake([() => new Response("nope", { status: 404 })], async (baseUrl) => {
    const rest = new KrakenRest({ baseUrl, ...fast });
    await assertRejects(() => rest.trades("BTC/USD", undefined), Error, "HTTP 404 from");
  });
  await withFake([() => new Response("<html>")], async (baseUrl) => {
    const rest = new KrakenRest({ baseUrl, ...fast });
    await assertRejects(() => rest.trades("BTC/USD", undefined), Error, "not JSON");
  });
});

Deno.test("REST client gives up after its attempts with the last error", async () => {
  await withFake([() => json({ error: ["EGeneral:Too many requests"] })], async (baseUrl, calls) => {
    const rest = new KrakenRest({ baseUrl, ...fast, maxAttempts: 3 });
    await assertRejects(
      () => rest.trades("BTC/USD", undefined),
      Error,
      "failed 3 times, last: EGeneral:Too many",
    );
    assertEquals(calls.length, 3);
  });
});

Deno.test("REST paging works when Kraken leaves out last, and detects a stuck cursor", async () => {
  const full = Array.from({ length: 1000 }, (_, i) => row(i + 1, 1_600_000_000 + i / 1000));
  await withFake([
    () => json({ error: [], result: { XXBTZUSD: full } }),
    (url) => {
      // Without `last`, the next since is the last trade's time in ns.
      assertEquals(url.searchParams.get("since"), "1600000000999000000");
      return json({
        error: [],
        result: { XXBTZUSD: [row(1000, 1_600_000_000.999), row(1001, 1_600_000_001)] },
      });
    },
  ], async (baseUrl) => {
    const rest = new KrakenRest({ baseUrl, ...fast });
    const got = await Array.fromAsync(tradesAfter(rest, "BTC/USD", { ts: 1_600_000_000_000, tradeId: null }));
    assertEquals(got.map((t) => t.trade_id), Array.from({ length: 1001 }, (_, i) => i + 1));
  });
  await withFake([() => json({ error: [], result: { XXBTZUSD: full, last: "1" } })], async (baseUrl) => {
    const rest = new KrakenRest({ baseUrl, ...fast });
    const cursor = { ts: 1_600_000_000_000, tradeId: 5_000 };
    await assertRejects(() => Array.fromAsync(tradesAfter(rest, "BTC/USD", cursor)), Error, "stuck");
  });
});
