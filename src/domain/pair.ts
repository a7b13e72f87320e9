/**
 * Trading pairs are written `BASE/QUOTE` with the common tickers (`BTC/USD`), whatever the
 * exchange calls them (`XBT/USD`, `XXBTZUSD`, `XBTUSD`, `btc-usd`).
 */

/** Kraken's legacy asset codes mapped to the tickers everyone else uses. */
const KRAKEN_TO_COMMON: Readonly<Record<string, string>> = {
  XBT: "BTC",
  XDG: "DOGE",
  XXBT: "BTC",
  XXDG: "DOGE",
  XETH: "ETH",
  XLTC: "LTC",
  XXRP: "XRP",
  XXLM: "XLM",
  XXMR: "XMR",
  XZEC: "ZEC",
  XETC: "ETC",
  XMLN: "MLN",
  XREP: "REP",
  ZUSD: "USD",
  ZEUR: "EUR",
  ZGBP: "GBP",
  ZCAD: "CAD",
  ZJPY: "JPY",
};

/** Quote currencies recognised when a pair comes without a separator (`btcusd`, `XXBTZUSD`). */
const QUOTES = [
  "ZUSD",
  "ZEUR",
  "ZGBP",
  "ZCAD",
  "ZJPY",
  "USDT",
  "USDC",
  "USD",
  "EUR",
  "GBP",
  "CAD",
  "JPY",
  "BTC",
  "ETH",
];

const ASSET = /^[A-Z0-9]{2,10}$/;

function commonAsset(code: string): string {
  return KRAKEN_TO_COMMON[code] ?? code;
}

/**
 * Normalises a pair to `BASE/QUOTE` with common tickers, or returns `null` when it cannot be read.
 *
 * @example
 * ```ts
 * normalisePair("XBT/USD"); // "BTC/USD"
 * normalisePair("btc-usd"); // "BTC/USD"
 * normalisePair("XXBTZUSD"); // "BTC/USD"
 * ```
 */
export function normalisePair(input: string): string | null {
  const raw = input.trim().toUpperCase();
  const parts = raw.split(/[/\-_:]/);
  if (parts.length === 2) {
    const [base, quote] = parts as [string, string];
    if (!ASSET.test(base) || !ASSET.test(quote)) return null;
    return `${commonAsset(base)}/${commonAsset(quote)}`;
  }
  if (parts.length !== 1 || !/^[A-Z0-9]{5,16}$/.test(raw)) return null;
  for (const quote of QUOTES) {
    if (raw.length > quote.length + 1 && raw.endsWith(quote)) {
      const base = raw.slice(0, -quote.length);
      if (ASSET.test(base)) return `${commonAsset(base)}/${commonAsset(quote)}`;
    }
  }
  return null;
}

/** Like {@linkcode normalisePair} but throws a `RangeError` naming the input. */
export function parsePair(input: string): string {
  const pair = normalisePair(input);
  if (pair === null) throw new RangeError(`'${input}' is not a trading pair like BTC/USD`);
  return pair;
}

const COMMON_TO_KRAKEN: Readonly<Record<string, string>> = { BTC: "XBT", DOGE: "XDG" };

/**
 * The pair as Kraken's REST API names it (`BTC/USD` → `XBTUSD`).
 *
 * @example
 * ```ts
 * krakenRestPair("DOGE/USD"); // "XDGUSD"
 * ```
 */
export function krakenRestPair(pair: string): string {
  const [base = "", quote = ""] = pair.split("/");
  return `${COMMON_TO_KRAKEN[base] ?? base}${COMMON_TO_KRAKEN[quote] ?? quote}`;
}
