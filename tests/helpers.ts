/** Shared test helpers: deterministic synthetic trades, the simulator on a free port, ../shared data. */
import type { Trade } from "../src/domain/trade.ts";
import { seededRandom } from "../src/util/random.ts";
import { TradeBook } from "../src/sim/book.ts";
import { type SimOptions, type SimServer, startSim } from "../src/sim/server.ts";
import { assert, assertEquals } from "./assert.ts";
import { onlineKvPath } from "../src/stores/feature_stores.ts";
import { DuckDbFeatureStore } from "../src/stores/offline_duckdb.ts";

/** A small deterministic PRNG (mulberry32), so synthetic data is the same on every run. */
export const prng: (seed: number) => () => number = seededRandom;

/** `n` seeded standard normal draws (Box–Muller), times `scale`. */
export function gaussians(n: number, seed: number, scale = 1): number[] {
  const r = prng(seed);
  return Array.from(
    { length: n },
    () => scale * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()),
  );
}

export const absolute = (xs: number[]): number[] => xs.map(Math.abs);

/**
 * `n` trades spread over `spanMs` from `start`, cycling through `pairs`; some share a timestamp
 * (as fills of one taker order do).
 */
export function syntheticTrades(
  n: number,
  { pairs = ["BTC/USD"], start = Date.UTC(2024, 0, 1), spanMs = 600_000, seed = 1 } = {},
): Trade[] {
  const rnd = prng(seed);
  const out: Trade[] = [];
  let ts = start;
  const price: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const pair = pairs[i % pairs.length] as string;
    if (rnd() > 0.2) ts += Math.floor(rnd() * (2 * spanMs / n));
    const p = price[pair] = Math.round((price[pair] ?? 30_000) * (1 + (rnd() - 0.5) * 0.001) * 10) / 10;
    out.push({
      pair,
      price: p,
      qty: Math.round(rnd() * 1e8) / 1e8 + 1e-8,
      side: rnd() > 0.5 ? "buy" : "sell",
      ts,
      ord_type: rnd() > 0.3 ? "limit" : "market",
    });
  }
  return out;
}

/** Runs `fn` with a simulator on a free loopback port, closing it afterwards. */
export async function withSim<T>(
  trades: Trade[],
  options: Omit<SimOptions, "book">,
  fn: (sim: SimServer, book: TradeBook) => Promise<T>,
): Promise<T> {
  const book = new TradeBook(trades);
  const sim = await startSim({ port: 0, ...options, book });
  try {
    return await fn(sim, book);
  } finally {
    await sim.close();
  }
}

/** The fields a recording must reproduce exactly. */
export function essence(t: Trade): string {
  return `${t.pair} ${t.ts} ${t.price} ${t.qty} ${t.side} ${t.trade_id ?? ""}`;
}

export const SHARED_DATA = new URL("../../shared/data/", import.meta.url);

let sharedPresent: boolean | undefined;

/** True when ../shared/data exists; says so loudly the first time it does not. */
export function hasSharedData(): boolean {
  if (sharedPresent === undefined) {
    try {
      Deno.statSync(SHARED_DATA);
      sharedPresent = true;
    } catch {
      sharedPresent = false;
      console.warn(`SKIPPING tests that need real data: ${SHARED_DATA.pathname} is absent`);
    }
  }
  return sharedPresent;
}

export function sharedFile(path: string): string {
  return new URL(path, SHARED_DATA).pathname;
}

/** Collects at most `n` items of a stream, or fewer if it ends or `ms` passes. */
export async function take<T>(stream: ReadableStream<T>, n: number, ms: number): Promise<T[]> {
  const out: T[] = [];
  const reader = stream.getReader();
  const deadline = Date.now() + ms;
  try {
    while (out.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const r = await Promise.race([
        reader.read(),
        new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), left)),
      ]);
      clearTimeout(timer);
      if (r === null || r.done) break;
      out.push(r.value);
    }
  } finally {
    reader.releaseLock();
  }
  return out;
}

/**
 * Trades in bursts over `minutes` minutes with quiet minutes in between (every 7th minute and the
 * one after have none), so candle series need flat candles.
 */
export function burstyTrades(
  minutes: number,
  { pair = "BTC/USD", start = Date.UTC(2024, 0, 1), seed = 2 } = {},
): Trade[] {
  const rnd = prng(seed);
  const out: Trade[] = [];
  let price = 30_000;
  for (let m = 0; m < minutes; m++) {
    if (m % 7 === 3 || m % 7 === 4) continue;
    const n = 3 + Math.floor(rnd() * 12);
    const offsets = Array.from({ length: n }, () => Math.floor(rnd() * 60_000)).sort((a, b) => a - b);
    for (const off of offsets) {
      price = Math.round(price * (1 + (rnd() - 0.5) * 0.002) * 10) / 10;
      out.push({
        pair,
        price,
        qty: Math.round(rnd() * 1e6) / 1e6 + 1e-6,
        side: rnd() > 0.5 ? "buy" : "sell",
        ts: start + m * 60_000 + off,
      });
    }
  }
  return out;
}

const ROOT = new URL("../", import.meta.url).pathname;

/**
 * Runs `pipelines/<script>.ts` as a user's `deno task` would, with the tasks' permissions
 * (`allowRun` for the ones that start subprocesses: soak).
 */
export function runPipeline(
  script: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
  { allowRun = false } = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-ffi",
      ...(allowRun ? ["--allow-run"] : []),
      "--config",
      `${ROOT}deno.json`,
      `${ROOT}pipelines/${script}.ts`,
      ...args,
    ],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).spawn();
}

/** Asserts that a data dir's online store has, as each pair's latest 1m row, the offline store's newest. */
export async function assertOnlineHasOfflineNewest(dataDir: string, pairs: readonly string[]): Promise<void> {
  const offline = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`, { readOnly: true });
  const kv = await Deno.openKv(onlineKvPath(dataDir));
  try {
    for (const pair of pairs) {
      const newest = await offline.latest(pair, "1m");
      assert(newest !== null, `${pair} has rows offline`);
      const online = (await kv.get<{ window_start: number }>(["features", "latest", pair, "1m"])).value;
      assertEquals(online?.window_start, newest.window_start, pair);
    }
  } finally {
    kv.close();
    offline.close();
  }
}
