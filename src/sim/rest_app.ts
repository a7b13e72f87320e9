/**
 * The simulator's Kraken REST API (`/0/public/Trades`, `OHLC`, `AssetPairs`, `Time`), serving
 * every trade at or before the simulated clock, with Kraken's envelope and error strings. Every
 * `throttleEvery`-th call answers `EGeneral:Too many requests` with HTTP 200, as Kraken does.
 */
import { Hono } from "hono";
import { normalisePair } from "../domain/pair.ts";
import type { BookTrade, TradeBook } from "./book.ts";
import { krakenResultKey, krakenWsName } from "./kraken_names.ts";

export interface RestFaults {
  /** Answer every Nth call with a rate-limit error; 0 disables. */
  throttleEvery?: number;
}

export interface RestStats {
  calls: number;
  throttled: number;
}

/** A number as Kraken writes it: fixed decimals, unless that would lose digits. */
function decimal(n: number, places: number): string {
  const fixed = n.toFixed(places);
  return Number(fixed) === n ? fixed : String(n);
}

function restRow(t: BookTrade): [string, string, number, string, string, string, number] {
  const ord = t.ord_type === "market" ? "m" : t.ord_type === "limit" ? "l" : "";
  return [
    decimal(t.price, 5),
    decimal(t.qty, 8),
    t.ts / 1000,
    t.side === "buy" ? "b" : "s",
    ord,
    "",
    t.trade_id,
  ];
}

/** `since` as Kraken takes it: nanoseconds, or seconds for short values; epoch ms out. */
function sinceMs(since: string | undefined): number | undefined {
  if (since === undefined || since === "") return undefined;
  if (!/^\d+(\.\d+)?$/.test(since)) return NaN;
  if (since.length >= 16 && !since.includes(".")) return Number(BigInt(since) / 1_000_000n);
  return Math.floor(Number(since) * 1000);
}

export function restApp(book: TradeBook, clock: () => number, faults: RestFaults = {}): {
  app: Hono;
  stats: RestStats;
} {
  const stats: RestStats = { calls: 0, throttled: 0 };
  const app = new Hono();
  const fail = (error: string) => ({ error: [error] });

  app.use("/0/public/*", async (c, next) => {
    stats.calls++;
    const n = faults.throttleEvery ?? 0;
    if (n > 0 && stats.calls % n === 0) {
      stats.throttled++;
      return c.json(fail("EGeneral:Too many requests"));
    }
    await next();
  });

  const pairOf = (raw: string | undefined) => {
    const pair = raw ? normalisePair(raw) : null;
    return pair !== null && book.byPair.has(pair) ? pair : null;
  };

  app.get("/0/public/Time", (c) => {
    const now = clock();
    return c.json({
      error: [],
      result: { unixtime: Math.floor(now / 1000), rfc1123: new Date(now).toUTCString() },
    });
  });

  app.get("/0/public/Trades", (c) => {
    const pair = pairOf(c.req.query("pair"));
    if (pair === null) return c.json(fail("EQuery:Unknown asset pair"));
    const from = sinceMs(c.req.query("since"));
    if (Number.isNaN(from)) return c.json(fail("EGeneral:Invalid arguments:since"));
    const count = Math.min(1000, Math.max(1, Number(c.req.query("count") ?? 1000) || 1000));
    const now = clock();
    const trades = from === undefined ? book.latest(pair, now, count) : book.since(pair, from, now, count);
    const lastTs = trades.at(-1)?.ts ?? from ?? now;
    return c.json({
      error: [],
      result: {
        [krakenResultKey(pair)]: trades.map(restRow),
        last: (BigInt(lastTs) * 1_000_000n).toString(),
      },
    });
  });

  app.get("/0/public/OHLC", (c) => {
    const pair = pairOf(c.req.query("pair"));
    if (pair === null) return c.json(fail("EQuery:Unknown asset pair"));
    const interval = Number(c.req.query("interval") ?? 1);
    if (![1, 5, 15, 30, 60, 240, 1440, 10080, 21600].includes(interval)) {
      return c.json(fail("EGeneral:Invalid arguments:interval"));
    }
    const from = sinceMs(c.req.query("since")) ?? 0;
    const rows = ohlc(book.since(pair, 0, clock(), Infinity), interval * 60_000).filter((r) =>
      r[0] * 1000 > from
    );
    const recent = rows.slice(-720);
    const last = recent.length > 1 ? (recent[recent.length - 2] as OhlcRow)[0] : Math.floor(from / 1000);
    return c.json({ error: [], result: { [krakenResultKey(pair)]: recent, last } });
  });

  app.get("/0/public/AssetPairs", (c) => {
    const result: Record<string, unknown> = {};
    for (const pair of book.pairs) {
      const [base = "", quote = ""] = pair.split("/");
      result[krakenResultKey(pair)] = {
        altname: krakenWsName(pair).replace("/", ""),
        wsname: krakenWsName(pair),
        base,
        quote,
        pair_decimals: 5,
        lot_decimals: 8,
        status: "online",
      };
    }
    return c.json({ error: [], result });
  });

  app.notFound((c) => c.json(fail("EGeneral:Unknown method"), 404));
  return { app, stats };
}

type OhlcRow = [number, string, string, string, string, string, string, number];

/** Candles in Kraken's REST OHLC shape from time-ordered trades; the last one may be open. */
function ohlc(trades: readonly BookTrade[], windowMs: number): OhlcRow[] {
  const rows: OhlcRow[] = [];
  let start = -1, open = 0, high = 0, low = 0, close = 0, vol = 0, pv = 0, count = 0;
  const push = () => {
    rows.push([
      start / 1000,
      decimal(open, 5),
      decimal(high, 5),
      decimal(low, 5),
      decimal(close, 5),
      decimal(vol > 0 ? pv / vol : close, 5),
      decimal(vol, 8),
      count,
    ]);
  };
  for (const t of trades) {
    const s = t.ts - (t.ts % windowMs);
    if (s !== start) {
      if (start >= 0) push();
      start = s;
      open = high = low = t.price;
      vol = pv = count = 0;
    }
    high = Math.max(high, t.price);
    low = Math.min(low, t.price);
    close = t.price;
    vol += t.qty;
    pv += t.price * t.qty;
    count++;
  }
  if (start >= 0) push();
  return rows;
}
