/**
 * Which coins a headline is about, when its source did not say: a maintained dictionary of
 * tickers and names, matched on word boundaries. Longer names win over the names inside them
 * ("Bitcoin Cash" is BCH, not BTC; "Ethereum Classic" is ETC, not ETH). Tickers match in upper
 * case only (so "sol" in running text is not Solana) or with a `$` prefix.
 */

/** Ticker → names, for at least the 15 coins of the course data and the other large caps. */
export const COINS: Readonly<Record<string, readonly string[]>> = {
  BTC: ["bitcoin", "xbt"],
  ETH: ["ethereum", "ether"],
  XRP: ["ripple", "xrp"],
  SOL: ["solana"],
  LTC: ["litecoin"],
  ADA: ["cardano"],
  DOT: ["polkadot"],
  DOGE: ["dogecoin"],
  XLM: ["stellar", "stellar lumens"],
  BCH: ["bitcoin cash"],
  EOS: ["eos"],
  XMR: ["monero"],
  ZEC: ["zcash"],
  ETC: ["ethereum classic"],
  XEM: ["nem"],
  BNB: ["binance coin", "bnb"],
  LINK: ["chainlink"],
  AVAX: ["avalanche"],
  TRX: ["tron"],
  SHIB: ["shiba inu"],
  TON: ["toncoin"],
  SUI: ["sui"],
  MATIC: ["polygon"],
  UNI: ["uniswap"],
  ATOM: ["cosmos"],
  HBAR: ["hedera"],
  NEAR: ["near protocol"],
  APT: ["aptos"],
  ARB: ["arbitrum"],
  PEPE: ["pepe"],
  USDT: ["tether"],
  USDC: ["usd coin"],
  HYPE: ["hyperliquid"],
};

// Tickers that are also common English words are matched only with a `$` prefix.
const WORD_TICKERS = new Set(["EOS", "TON", "NEAR", "UNI", "ATOM", "DOT", "SUI", "ARB", "HYPE"]);

interface Pattern {
  re: RegExp;
  coin: string;
}

const PATTERNS: Pattern[] = (() => {
  const out: { text: string; coin: string; caseSensitive: boolean; length: number }[] = [];
  for (const [coin, names] of Object.entries(COINS)) {
    for (const name of names) out.push({ text: name, coin, caseSensitive: false, length: name.length });
    out.push({ text: `$${coin}`, coin, caseSensitive: true, length: coin.length + 1 });
    if (!WORD_TICKERS.has(coin)) out.push({ text: coin, coin, caseSensitive: true, length: coin.length });
  }
  out.sort((a, b) => b.length - a.length);
  return out.map(({ text, coin, caseSensitive }) => {
    const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ /g, "\\s+");
    return { re: new RegExp(`(?<![\\w$])${escaped}(?![\\w])`, caseSensitive ? "g" : "gi"), coin };
  });
})();

/**
 * The coins a headline mentions, in dictionary order.
 *
 * @example
 * ```ts
 * coinsIn("Bitcoin Cash forks again while $ETH rallies"); // ["ETH", "BCH"]
 * ```
 */
export function coinsIn(title: string): string[] {
  let text = title;
  const found = new Set<string>();
  for (const { re, coin } of PATTERNS) {
    re.lastIndex = 0;
    if (!re.test(text)) continue;
    found.add(coin);
    re.lastIndex = 0;
    // Blank the match out so a shorter name inside it ("bitcoin" in "bitcoin cash") cannot match too.
    text = text.replace(re, (m) => " ".repeat(m.length));
  }
  return Object.keys(COINS).filter((c) => found.has(c));
}
