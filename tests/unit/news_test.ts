import { assertEquals, assertThrows } from "../assert.ts";
import {
  InvalidNewsError,
  knownAt,
  MARKET,
  type NewsItem,
  parseNewsTime,
  stableId,
  validateNews,
} from "../../src/domain/news.ts";
import type { NewsClassifier } from "../../src/domain/ports.ts";
import { COINS, coinsIn } from "../../src/transforms/coins.ts";
import { coinsOf, tickerOfTag } from "../../src/transforms/tagged_coins.ts";
import { classifyBatch, signalCoins, signalsOf } from "../../src/transforms/news_signals.ts";
import { parseCsv } from "../../src/sources/files/csv.ts";

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

Deno.test("tickerOfTag() reads a coin's ticker, its names and its pairs as the ticker, and nothing else", () => {
  const cases: [string, string | undefined][] = [
    ["BTC", "BTC"],
    ["BITCOIN", "BTC"],
    ["XBT", "BTC"],
    ["BTCUSD", "BTC"],
    ["XBTUSD", "BTC"],
    ["BITCOINUSD", "BTC"],
    ["ETHEREUM", "ETH"],
    ["ETHER", "ETH"],
    ["ETHUSDT", "ETH"],
    ["BITCOINCASH", "BCH"],
    ["RIPPLE", "XRP"],
    ["TETHER", "USDT"],
    ["NOW", undefined],
    ["67", undefined],
    ["PM", undefined],
    ["USD", undefined],
    ["FOOUSD", undefined],
  ];
  for (const [tag, want] of cases) assertEquals(tickerOfTag(tag), want, tag);
});

Deno.test("coinsOf() takes a source's tags as coins only when they name a known coin or are written as tickers", () => {
  // Tags as the February 2026 scrape has them: words of all-caps tweets, a price, a time, a pair.
  const cases: [string, string[], string[]][] = [
    ["JUST IN: MICHAEL SAYLOR IS BUYING BITCOIN'S DIP", ["BITCOIN", "IN"], ["BTC"]],
    ["BITCOIN BACK OV...", ["BITCOIN", "OVER"], ["BTC"]],
    ["Bitcoin entra na pauta da ONU", ["BTC", "A", "BTCUSD"], ["BTC"]],
    ["NOW: ETH whales' unrealized profits have turned negative.", ["NOW"], ["ETH"]],
    ["Bitcoin takes back to $70,000 as Ether smashes $2,000", ["BTC", "67"], ["BTC"]],
    ["BNB Surpasses 640 USDT with a Narrowed 0.81% Decrease", ["USDT", "BNB", "PM"], ["USDT", "BNB"]],
    ["Official Trump (TRUMP) Soared 10%", ["TRUMP"], ["TRUMP"]],
    ["MARKETS: $WLFI SURGES 20% AS WORLD LIBERTY FORUM KICKS OFF AT MAR-A-LAGO", ["A", "AT", "WLFI"], [
      "WLFI",
    ]],
    // No tag known, no coin in the title: the tags stay as they are, a coin the dictionary lacks or a
    // word, and never market-wide news.
    ["Trump family-backed WLFI token surges 23%", ["WLFI"], ["WLFI"]],
    ["INTEL: THE TOP 1% OF U.S. EARNERS NOW HAVE MORE WEALTH", ["NOW", "THE"], ["NOW", "THE"]],
    ["Italy hikes corporate tax for energy firms, PM Meloni says", ["PM"], ["PM"]],
    ["The Securities and Exchange Commission (SEC) delays", ["SEC"], []],
  ];
  for (const [title, currencies, want] of cases) assertEquals(coinsOf({ title, currencies }), want, title);
});

Deno.test("a headline that names no coin is classified, as a market-wide signal under MARKET", async () => {
  const asked: string[][] = [];
  const classifier: NewsClassifier = {
    name: "fake",
    classify: (titles) => {
      asked.push([...titles]);
      return Promise.resolve(titles.map((_, i) => ({ signal: i === 0 ? 1 : -1, score: 0.7 })));
    },
    dispose: () => Promise.resolve(),
  };
  const item = (id: string, title: string, currencies: string[] = []): NewsItem => ({
    id,
    title,
    published_at: 1_700_000_000_000 + Number(id),
    source: null,
    currencies,
  });
  const items = [
    item("1", "Bitcoin slides as miners sell"),
    item("2", "Fed holds rates steady; crypto funds see outflows"),
    // Tags that are not coins, and a source's own MARKET tag, leave the headline about no coin.
    item("3", "JUST IN: SEC delays decision on altcoin ETFs", ["IN", "SEC", "MARKET"]),
  ];
  const { signals } = await classifyBatch(items, classifier);
  assertEquals(asked, [items.map((i) => i.title)], "every headline goes to the classifier, once");
  assertEquals(signals.map((s) => [s.news_id, s.coin, s.signal, s.published_at]), [
    ["1", "BTC", 1, 1_700_000_000_001],
    ["2", MARKET, -1, 1_700_000_000_002],
    ["3", MARKET, -1, 1_700_000_000_003],
  ]);
  // A live post is known once fetched and classified; history when published, whatever the clock.
  const T = 1_700_000_000_000;
  const live = await classifyBatch(
    [{ ...items[0]!, seen_at: T + 5_000 }, items[1]!],
    classifier,
    () => T + 9_000,
  );
  assertEquals(live.signals.map((s) => s.known_at), [T + 9_000, T + 2]);
  assertEquals(signalCoins({ title: "Solana and $ETH rally", currencies: [] }), ["ETH", "SOL"]);
  assertEquals(coinsOf({ title: "Markets calm", currencies: ["MARKET"] }), []);
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

Deno.test("a headline is known when a live poll fetched it, never before it was published; history when published", () => {
  const item = { published_at: 1_000_000 };
  assertEquals(knownAt(item), 1_000_000);
  assertEquals(knownAt({ ...item, seen_at: 1_090_000 }), 1_090_000);
  // A clock behind the source's: not before publication.
  assertEquals(knownAt({ ...item, seen_at: 990_000 }), 1_000_000);
  const valid = { id: 1, title: "t", published_at: 1_000_000 };
  assertEquals(validateNews({ ...valid, seen_at: 1_090_000 }).seen_at, 1_090_000);
  assertEquals("seen_at" in validateNews(valid), false);
  assertThrows(() => validateNews({ ...valid, seen_at: "soon" }), InvalidNewsError, "seen_at is invalid");
  const signals = signalsOf({ ...validateNews({ ...valid, currencies: ["BTC"] }), seen_at: 1_090_000 }, {
    signal: 1,
    score: 0.9,
  }, "m");
  assertEquals(signals.map((s) => [s.coin, s.published_at, s.known_at]), [["BTC", 1_000_000, 1_090_000]]);
});

Deno.test("coinsOf() reads a tag literally: one with a pattern's characters neither throws nor matches as a pattern", () => {
  assertEquals(coinsOf({ title: "Gains for (A+B) and Bitcoin holders", currencies: ["A+B"] }), ["A+B"]);
  assertEquals(coinsOf({ title: "Gains for (AAB) and Bitcoin holders", currencies: ["A+B"] }), ["BTC"]);
  assertEquals(coinsOf({ title: "Odd tag (X and Bitcoin", currencies: ["(X"] }), ["BTC"]);
});
