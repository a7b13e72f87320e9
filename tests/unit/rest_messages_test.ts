import { assert, assertEquals, assertThrows } from "../assert.ts";
import { KrakenApiError, parseServerTime, parseTradesPage } from "../../src/sources/kraken/rest_messages.ts";
import { retryAfterMs } from "../../src/sources/kraken/rest_client.ts";

// The example response of Kraken's "Get Recent Trades" documentation.
const docs = {
  error: [],
  result: {
    XXBTZUSD: [
      ["30243.40000", "0.34507674", 1688669597.8277369, "b", "m", "", 61044952],
      ["30243.30000", "0.00376960", 1688669598.2804112, "s", "l", "", 61044953],
      ["30243.30000", "0.01235716", 1688669602.698379, "s", "m", "", 61044956],
    ],
    last: "1688671969993150842",
  },
};

Deno.test("parseTradesPage() takes the one result key that is not last and labels trades with the asked pair", () => {
  const page = parseTradesPage(docs, "BTC/USD");
  assertEquals(page.last, "1688671969993150842");
  assertEquals(page.trades[0], {
    pair: "BTC/USD",
    price: 30243.4,
    qty: 0.34507674,
    side: "buy",
    ts: 1688669597827,
    trade_id: 61044952,
    ord_type: "market",
  });
  assertEquals(page.trades.map((t) => t.side), ["buy", "sell", "sell"]);
  assertEquals(page.trades[2]?.ts, 1688669602698);
});

Deno.test("parseTradesPage() copes with a missing last and an empty result", () => {
  const page = parseTradesPage({ error: [], result: { XXBTZUSD: docs.result.XXBTZUSD } }, "BTC/USD");
  assertEquals(page.last, undefined);
  assertEquals(page.trades.length, 3);
  assertEquals(parseTradesPage({ error: [], result: { XXBTZUSD: [], last: "5" } }, "BTC/USD").trades, []);
});

Deno.test("parseTradesPage() turns Kraken's error array into errors that say whether to retry", () => {
  const throttled = assertThrows(
    () => parseTradesPage({ error: ["EGeneral:Too many requests"] }, "BTC/USD"),
    KrakenApiError,
    "Too many requests",
  ) as KrakenApiError;
  assert(throttled.retryable);
  const unknown = assertThrows(
    () => parseTradesPage({ error: ["EQuery:Unknown asset pair"] }, "BTC/USD"),
    KrakenApiError,
    "Unknown asset pair",
  ) as KrakenApiError;
  assert(!unknown.retryable);
  assertThrows(
    () => parseTradesPage({ error: [], result: { XXBTZUSD: [["x", "1", 1, "b", "m", "", 1]] } }, "BTC/USD"),
    KrakenApiError,
    "trade 0",
  );
  assertThrows(() => parseTradesPage("<html>", "BTC/USD"), KrakenApiError, "not a JSON object");
});

Deno.test("parseServerTime() reads unixtime; retryAfterMs() reads seconds and HTTP dates", () => {
  assertEquals(parseServerTime({ error: [], result: { unixtime: 1561939200, rfc1123: "x" } }), 1561939200000);
  assertEquals(retryAfterMs("2"), 2000);
  assertEquals(retryAfterMs(null), undefined);
  assertEquals(retryAfterMs("Mon, 01 Jul 2019 00:00:10 GMT", Date.UTC(2019, 6, 1)), 10_000);
  assertEquals(retryAfterMs("soon"), undefined);
});
