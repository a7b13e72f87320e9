/** How Kraken names pairs in REST results: legacy X/Z codes for old assets, plain codes otherwise. */
const LEGACY = new Set(["BTC", "ETH", "LTC", "XRP", "XLM", "XMR", "ZEC", "ETC", "MLN", "REP", "DOGE"]);
const FIAT = new Set(["USD", "EUR", "GBP", "CAD", "JPY"]);
const CODE: Record<string, string> = { BTC: "XBT", DOGE: "XDG" };

function code(asset: string): string {
  return CODE[asset] ?? asset;
}

/** `BTC/USD` → `XXBTZUSD`, `SOL/USD` → `SOLUSD`, `DOGE/USD` → `XDGUSD` (as Kraken does). */
export function krakenResultKey(pair: string): string {
  const [base = "", quote = ""] = pair.split("/");
  if (base === "DOGE") return `XDG${quote}`;
  if (LEGACY.has(base) && FIAT.has(quote)) return `X${code(base)}Z${quote}`;
  return `${code(base)}${code(quote)}`;
}

/** `BTC/USD` → `XBT/USD`: the name Kraken's WS v1 and AssetPairs' `wsname` use. */
export function krakenWsName(pair: string): string {
  const [base = "", quote = ""] = pair.split("/");
  return `${code(base)}/${code(quote)}`;
}
