/**
 * Teacher-labelled headlines the tests write themselves: templated bullish, bearish and neutral
 * headlines about the course coins, in the format of ../shared/data/signals, deterministic.
 */
import { prng } from "./helpers.ts";

const COINS = [["BTC", "Bitcoin"], ["ETH", "Ethereum"], ["SOL", "Solana"], ["XRP", "XRP"], [
  "ADA",
  "Cardano",
]];
const BULLISH = [
  "{c} rallies to a new high as ETF inflows jump",
  "{c} breaks out above resistance on heavy volume",
  "Whales accumulate {c} ahead of the network upgrade",
  "{c} soars after a major exchange listing",
  "Institutions pile into {c} as open interest climbs",
];
const BEARISH = [
  "{c} plunges after an exchange hack drains wallets",
  "{c} slides as regulators sue the foundation",
  "Liquidation cascade sends {c} tumbling below support",
  "{c} crashes as miners dump their holdings",
  "Outage halts {c} network for hours, price sinks",
];
const NEUTRAL = [
  "{c} developers schedule a community call for Thursday",
  "What is {c}? A beginner guide to the network",
  "{c} trades sideways ahead of the Fed meeting",
];
const TAILS = ["", " today", " - report", " amid market chatter", " says analyst", " this week"];

/** `n` JSONL lines; about one in ten carries no coin (an empty signal list). */
export function teacherLines(n: number, seed = 5): string[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const [ticker, name] = pick(COINS)!;
    const r = rand();
    const [templates, signal] = r < 0.45 ? [BULLISH, 1] : r < 0.85 ? [BEARISH, -1] : [NEUTRAL, 0];
    const headline = pick(templates).replace("{c}", name!) + pick(TAILS) + ` #${i}`;
    const signals = rand() < 0.1 ? [] : [{ coin: ticker, signal }];
    lines.push(JSON.stringify({
      instruction: "classify",
      input: headline,
      output: JSON.stringify({ news_signals: signals }),
      teacher_model_name: "test-teacher",
    }));
  }
  return lines;
}

/** Writes `teacherLines(n)` to a file in `dir` and returns its path. */
export async function writeTeacherFile(dir: string, n = 240, seed = 5): Promise<string> {
  const path = `${dir}/teacher.jsonl`;
  await Deno.writeTextFile(path, teacherLines(n, seed).join("\n") + "\n");
  return path;
}
