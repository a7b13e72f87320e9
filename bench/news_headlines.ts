/**
 * SYNTHETIC headlines for the news benchmarks when ../shared/data is absent: a month of
 * CryptoPanic-like posts (a JSONL news file; about a fifth tagged, a fifth naming no coin, lengths
 * and wording like the real scrape's) and a teacher file in the format of ../shared/data/signals
 * to distil a model from. Deterministic, so runs compare.
 */
import { seededRandom } from "../src/util/random.ts";

const COINS = [
  ["BTC", "Bitcoin"],
  ["ETH", "Ethereum"],
  ["XRP", "XRP"],
  ["SOL", "Solana"],
  ["DOGE", "Dogecoin"],
  ["ADA", "Cardano"],
  ["LINK", "Chainlink"],
  ["BNB", "BNB"],
] as const;

const BULLISH = [
  "{c} rallies past ${n}K as spot ETF inflows hit a {n}-week high",
  "{c} breaks out above key resistance on heavy volume, analysts eye new highs",
  "Whales accumulate {n},000 {t} ahead of the network upgrade",
  "{c} jumps {n}% after a major exchange listing",
  "Institutions pile into {c} as open interest climbs to a record",
  "{c} price prediction: bulls target ${n}K after a golden cross",
];
const BEARISH = [
  "{c} plunges {n}% after an exchange hack drains hot wallets",
  "{c} slides below ${n}K as regulators sue the foundation",
  "Liquidation cascade wipes out ${n}M in {t} longs",
  "{c} miners dump holdings as hashprice sinks to a {n}-month low",
  "{c} network halted for hours; price sinks {n}%",
  "{t} ETF outflows hit ${n}M as selling pressure mounts",
];
const NEUTRAL = [
  "{c} developers schedule a community call for Thursday",
  "What is {c}? A beginner's guide to the network",
  "{c} trades sideways ahead of the FOMC meeting",
  "{c} core team publishes the Q{n} roadmap",
];
/** Headlines about the market as a whole, naming no coin. */
const MARKET = [
  "Crypto market cap climbs ${n}B as risk appetite returns",
  "Fed holds rates steady; traders price in {n} cuts this year",
  "JUST IN: SEC delays decision on {n} altcoin ETF applications",
  "Stablecoin supply hits a record ${n}B",
  "Crypto funds see ${n}M in weekly outflows, CoinShares says",
  "US Senate committee advances the market structure bill",
  "Liquidations top ${n}M across exchanges in 24 hours",
];
const TAILS = ["", "", " - report", " amid market jitters", ", analyst says", " this week", " | Opinion"];
const SOURCES = ["coindesk.com", "cointelegraph.com", "decrypt.co", "theblock.co", "x.com", null];

interface Headline {
  title: string;
  /** The coin it is about, or null for the market as a whole. */
  coin: string | null;
  signal: -1 | 0 | 1;
}

function headlines(n: number, seed: number): Headline[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const out: Headline[] = [];
  for (let i = 0; i < n; i++) {
    const [ticker, name] = pick(COINS);
    const r = rand();
    const market = rand() < 0.2;
    const [templates, signal] = market
      ? [MARKET, (r < 0.4 ? 1 : r < 0.7 ? -1 : 0) as -1 | 0 | 1] as const
      : r < 0.45
      ? [BULLISH, 1 as const]
      : r < 0.85
      ? [BEARISH, -1 as const]
      : [NEUTRAL, 0 as const];
    const title = pick(templates).replaceAll("{c}", name).replaceAll("{t}", ticker)
      .replaceAll("{n}", () => String(1 + Math.floor(rand() * 99))) + pick(TAILS);
    out.push({ title, coin: market ? null : ticker, signal });
  }
  return out;
}

/** A JSONL news file of `n` posts a minute or so apart from 2026-02-01, about a fifth of them tagged. */
export async function writeSyntheticNews(path: string, n: number, seed = 11): Promise<void> {
  const rand = seededRandom(seed + 1);
  let at = Date.UTC(2026, 1, 1);
  const lines = headlines(n, seed).map((h, i) => {
    at += Math.floor(rand() * 900_000);
    return JSON.stringify({
      id: String(20_000_000 + i),
      title: h.title,
      published_at: at,
      source: SOURCES[i % SOURCES.length],
      currencies: h.coin !== null && rand() < 0.2 ? [h.coin] : [],
    });
  });
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}

/** A teacher file of `n` labelled headlines (market-wide ones with no signal, as teachers write them). */
export async function writeSyntheticTeacher(path: string, n: number, seed = 5): Promise<void> {
  const lines = headlines(n, seed).map((h) =>
    JSON.stringify({
      instruction: "classify",
      input: h.title,
      output: JSON.stringify({ news_signals: h.coin === null ? [] : [{ coin: h.coin, signal: h.signal }] }),
      teacher_model_name: "synthetic-teacher",
    })
  );
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}
