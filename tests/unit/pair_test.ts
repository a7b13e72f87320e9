import { assert, assertEquals, assertThrows } from "../assert.ts";
import { krakenRestPair, normalisePair, parsePair } from "../../src/domain/pair.ts";
import { krakenResultKey } from "../../src/sim/kraken_names.ts";

Deno.test("normalisePair() writes every spelling as BASE/QUOTE with common tickers", () => {
  const cases: [string, string][] = [
    ["BTC/USD", "BTC/USD"],
    ["XBT/USD", "BTC/USD"],
    ["btc-usd", "BTC/USD"],
    ["btcusd", "BTC/USD"],
    ["XBTUSD", "BTC/USD"],
    ["XXBTZUSD", "BTC/USD"],
    ["XETHZUSD", "ETH/USD"],
    ["XDG/USD", "DOGE/USD"],
    ["XDGUSD", "DOGE/USD"],
    ["SOLUSD", "SOL/USD"],
    ["eth_eur", "ETH/EUR"],
    ["ETH/BTC", "ETH/BTC"],
    ["USDT/USD", "USDT/USD"],
  ];
  for (const [input, want] of cases) assertEquals(normalisePair(input), want, input);
});

Deno.test("normalisePair() refuses what is not a pair", () => {
  for (const bad of ["", "BTC", "BTC/", "/USD", "BTC/USD/EUR", "B$C/USD", "hello world"]) {
    assertEquals(normalisePair(bad), null, bad);
  }
  assertThrows(() => parsePair("nope"), RangeError, "'nope' is not a trading pair");
});

Deno.test("krakenRestPair() and the simulator's result keys round-trip through normalisePair()", () => {
  for (const pair of ["BTC/USD", "ETH/USD", "DOGE/USD", "SOL/USD", "XRP/EUR", "ADA/USD"]) {
    assertEquals(normalisePair(krakenRestPair(pair)), pair);
    assertEquals(normalisePair(krakenResultKey(pair)), pair);
  }
  assertEquals(krakenRestPair("BTC/USD"), "XBTUSD");
  assertEquals(krakenResultKey("BTC/USD"), "XXBTZUSD");
  assert(krakenResultKey("DOGE/USD") === "XDGUSD");
});
