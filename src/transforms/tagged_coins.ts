/**
 * Which of a news source's tags are coins. CryptoPanic tags a post with every listed ticker whose
 * code appears as a word in its text, and its listings hold English words, numbers and coins
 * named after other coins: an all-caps tweet ("MICHAEL SAYLOR IS BUYING BITCOIN'S DIP") comes
 * tagged `BITCOIN` (the ticker of a meme coin), `ON`, `THE`, `NOW`; a price ("$67,000") `67`; a
 * time ("PM") `PM`. A tag alone cannot be told from a word, so it counts as a coin only when the
 * coin dictionary knows it (as a ticker, a name or a pair), or when the title writes it the way
 * only tickers are written (`$WLFI`, `Official Trump (TRUMP)`).
 */
import { normalisePair } from "../domain/pair.ts";
import { COINS, coinsIn } from "./coins.ts";

/**
 * Acronyms a title may write like a ticker ("the Securities and Exchange Commission (SEC)") that
 * are not coins, and the market-wide pseudo-coin (domain/news.ts), so no source can tag a headline
 * with it.
 */
export const NOT_COINS: ReadonlySet<string> = new Set([
  "US",
  "USA",
  "UK",
  "EU",
  "IN",
  "AI",
  "BULLISH",
  "BEARISH",
  "DEFI",
  "DAO",
  "RWA",
  "NFT",
  "NFTS",
  "ETF",
  "SEC",
  "CEO",
  "MARKET",
]);

// One-word names as tags spell them (BITCOIN, ETHER, XBT, STELLARLUMENS).
const NAMED: ReadonlyMap<string, string> = new Map(
  Object.entries(COINS).flatMap(([ticker, names]) =>
    names.map((name) => [name.replace(/\s+/g, "").toUpperCase(), ticker] as const)
  ),
);

function known(code: string): string | undefined {
  return code in COINS ? code : NAMED.get(code);
}

/**
 * The dictionary's ticker for a tag that is a coin's ticker, one of its names, or a pair against
 * it; `undefined` for any other tag.
 *
 * @example
 * ```ts
 * tickerOfTag("BITCOIN"); // "BTC"
 * tickerOfTag("XBTUSD"); // "BTC"
 * tickerOfTag("ETHUSDT"); // "ETH"
 * tickerOfTag("NOW"); // undefined
 * ```
 */
export function tickerOfTag(tag: string): string | undefined {
  const direct = known(tag);
  if (direct !== undefined) return direct;
  const base = normalisePair(tag)?.split("/")[0];
  return base === undefined ? undefined : known(base);
}

/** The title writes `tag` as a cashtag or in brackets, as only tickers are written. */
function writtenAsTicker(tag: string, title: string): boolean {
  if (!/[A-Z]/.test(tag)) return false;
  // A source's tag is text from outside: read literally, never as a pattern.
  const t = tag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?:\\$${t}(?![\\w])|[(\\[]${t}[)\\]])`).test(title);
}

/**
 * The coins of a news item: its source's tags that are coins ({@linkcode tickerOfTag}, or written
 * as a ticker in its title; never {@linkcode NOT_COINS}), as tickers, in the source's order; when
 * none is, the coins its title names; when it names none, the source's other tags as they are.
 *
 * @example
 * ```ts
 * coinsOf({ title: "JUST IN: MICHAEL SAYLOR IS BUYING BITCOIN'S DIP", currencies: ["BITCOIN", "IN"] }); // ["BTC"]
 * coinsOf({ title: "NOW: ETH whales turn negative", currencies: ["NOW"] }); // ["ETH"]
 * coinsOf({ title: "$WLFI surges 20%", currencies: ["WLFI", "AT"] }); // ["WLFI"]
 * ```
 */
export function coinsOf(item: { title: string; currencies: readonly string[] }): string[] {
  const coins = new Set<string>();
  const unknown: string[] = [];
  for (const tag of item.currencies) {
    if (NOT_COINS.has(tag)) continue;
    const ticker = tickerOfTag(tag) ?? (writtenAsTicker(tag, item.title) ? tag : undefined);
    if (ticker !== undefined) coins.add(ticker);
    else unknown.push(tag);
  }
  if (coins.size > 0) return [...coins];
  const named = coinsIn(item.title);
  // Tags that are neither known nor written as tickers, on a title that names no known coin: a
  // coin the dictionary lacks ("Ondo wants to rebuild prime brokerage", ONDO) as often as a word
  // ("THE TRUMP ADMINISTRATION ...", THE). Either way the source saw something in it, so it is not
  // taken as news about no coin, which every pair reads (`MARKET`): it stays under those tags,
  // which no pair reads unless the dictionary learns them.
  return named.length > 0 ? named : [...new Set(unknown)];
}
