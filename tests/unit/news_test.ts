import { assertEquals, assertThrows } from "../assert.ts";
import { InvalidNewsError, stableId, validateNews } from "../../src/domain/news.ts";
import { COINS, coinsIn, coinsOf } from "../../src/transforms/coins.ts";
import { parseCsv } from "../../src/sources/files/csv.ts";
import { parseNewsTime } from "../../src/sources/files/news_file.ts";

Deno.test("validateNews() normalises tickers, drops placeholders and names a bad field", () => {
  assertEquals(
    validateNews({
      id: 7,
      title: "  Hi ",
      published_at: 1,
      source: "",
      currencies: ["btc", "N/A", "BTC", "eth"],
    }),
    { id: "7", title: "Hi", published_at: 1, source: null, currencies: ["BTC", "ETH"] },
  );
  assertThrows(() => validateNews({ id: "", title: "x", published_at: 1 }), InvalidNewsError, "id");
  assertThrows(() => validateNews({ id: "1", title: " ", published_at: 1 }), InvalidNewsError, "title");
  assertThrows(
    () => validateNews({ id: "1", title: "x", published_at: NaN }),
    InvalidNewsError,
    "published_at",
  );
  assertEquals(stableId("a|b"), stableId("a|b"));
  assertEquals(stableId("a|b") === stableId("a|c"), false);
});

Deno.test("coinsIn() finds tickers and names on word boundaries, longest name first", () => {
  const cases: [string, string[]][] = [
    ["Bitcoin Cash forks again while $ETH rallies", ["ETH", "BCH"]],
    ["Ethereum Classic up; ether down", ["ETH", "ETC"]],
    ["SEC Signals Shift: Grayscale’s Solana & Litecoin ETFs Move Forward", ["SOL", "LTC"]],
    ["The sol is shining on DOT holders; $DOT up", ["DOT"]],
    ["BTC hits 100k as XRP and Ripple lag", ["BTC", "XRP"]],
    ["Trump says near term pain for stocks", []],
    ["BTCUSD and ETHBTC are pairs, not mentions", []],
    ["Monero, Zcash and NEM: privacy coins; Stellar Lumens; Polkadot; Cardano; EOS; DOGE", [
      "ADA",
      "DOT",
      "DOGE",
      "XLM",
      "EOS",
      "XMR",
      "ZEC",
      "XEM",
    ]],
  ];
  for (const [title, want] of cases) assertEquals(coinsIn(title), want, title);
  for (
    const c of [
      "BTC",
      "ETH",
      "XRP",
      "SOL",
      "LTC",
      "ADA",
      "DOT",
      "DOGE",
      "XLM",
      "BCH",
      "EOS",
      "XMR",
      "ZEC",
      "ETC",
      "XEM",
    ]
  ) {
    assertEquals(c in COINS, true, c);
  }
});

Deno.test("coinsOf() prefers the source's tags to the title", () => {
  assertEquals(coinsOf({ title: "Bitcoin soars", currencies: ["SOL"] }), ["SOL"]);
  assertEquals(coinsOf({ title: "Bitcoin soars", currencies: [] }), ["BTC"]);
});

Deno.test("parseCsv() keeps quoted newlines and commas inside a field", () => {
  assertEquals(parseCsv('a,b\r\n1,"x,\ny"\n\n2,"say ""hi"""'), [["a", "b"], ["1", "x,\ny"], [
    "2",
    'say "hi"',
  ]]);
});

Deno.test("parseNewsTime() reads JavaScript Date strings with their zone, and ISO 8601", () => {
  assertEquals(
    parseNewsTime("Sat Feb 07 2026 17:11:01 GMT-0500 (Horário Padrão do Acre)"),
    Date.UTC(2026, 1, 7, 22, 11, 1),
  );
  assertEquals(
    parseNewsTime("Fri Feb 07 2025 08:29:27 GMT+0100 (heure normale d’Europe centrale)"),
    Date.UTC(2025, 1, 7, 7, 29, 27),
  );
  assertEquals(parseNewsTime("2025-02-26T11:20:14Z"), Date.UTC(2025, 1, 26, 11, 20, 14));
  assertEquals(Number.isNaN(parseNewsTime("soon")), true);
});
