/**
 * The market of the retraining benchmark (./retrain.ts): the real Kraken BTC/USD 1m REST candles
 * in ../shared/data, else a seeded SYNTHETIC week (said loudly), and trades that rebuild candles,
 * handed on at an accelerated market clock as a live source would.
 */
import type { Candle } from "../src/domain/candle.ts";
import { WINDOW_MS } from "../src/domain/candle.ts";
import type { Trade } from "../src/domain/trade.ts";
import { candleFile } from "../src/sources/files/candle_file.ts";
import { seededRandom } from "../src/util/random.ts";

const REAL = new URL("../../shared/data/kraken/rest_ohlc_XXBTZUSD_1m_2020-04_05.csv", import.meta.url)
  .pathname;
const PAIR = "BTC/USD";
const MINUTE = WINDOW_MS["1m"];
export const TRADES_PER_CANDLE = 60;

/** The real 1m candles, or a seeded synthetic week when ../shared is absent. */
export async function marketCandles(liveCandles: number): Promise<{ candles: Candle[]; label: string }> {
  try {
    await Deno.stat(REAL);
  } catch {
    console.log(
      `  !! ${REAL} absent: using a SYNTHETIC market (seeded AR(1) 1m candles) instead of real candles`,
    );
    return { candles: syntheticCandles(7 * 24 * 60 + liveCandles), label: "SYNTHETIC 1m candles" };
  }
  const { stream } = await candleFile(REAL, { format: "kraken-ohlc", pair: PAIR, window: "1m" });
  return { candles: await Array.fromAsync(stream), label: "real Kraken BTC/USD 1m candles of 2020-04/05" };
}

function syntheticCandles(n: number): Candle[] {
  const rand = seededRandom(7);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const t0 = Date.UTC(2024, 2, 1);
  const out: Candle[] = [];
  let close = 50_000, r = 0;
  for (let i = 0; i < n; i++) {
    r = 0.3 * r + 0.0008 * gauss();
    const open = close;
    close = open * Math.exp(r);
    const volume = 1 + rand() * 3;
    const buy = volume * rand();
    out.push({
      pair: PAIR,
      window: "1m",
      window_start: t0 + i * MINUTE,
      window_end: t0 + (i + 1) * MINUTE,
      open,
      high: Math.max(open, close) * (1 + rand() * 2e-4),
      low: Math.min(open, close) * (1 - rand() * 2e-4),
      close,
      volume,
      vwap: (open + close) / 2,
      trades: TRADES_PER_CANDLE,
      buy_volume: buy,
      sell_volume: volume - buy,
    });
  }
  return out;
}

/** Trades that rebuild each candle: evenly spaced in its minute, priced along open → low/high → close. */
export function tradesOf(bars: readonly Candle[]): Trade[] {
  const out: Trade[] = [];
  let id = 1;
  for (const c of bars) {
    const path = c.close >= c.open ? [c.open, c.low, c.high, c.close] : [c.open, c.high, c.low, c.close];
    const qty = Math.max(c.volume, 1e-3) / TRADES_PER_CANDLE;
    for (let i = 0; i < TRADES_PER_CANDLE; i++) {
      const x = (i / (TRADES_PER_CANDLE - 1)) * 3;
      const k = Math.min(2, Math.floor(x));
      const price = path[k]! + (path[k + 1]! - path[k]!) * (x - k);
      out.push({
        pair: PAIR,
        price,
        qty,
        side: i % 2 ? "sell" : "buy",
        ts: c.window_start + Math.floor(((i + 0.5) * MINUTE) / TRADES_PER_CANDLE),
        trade_id: id++,
      });
    }
  }
  return out;
}

/** `trades`, each handed on once the market clock reaches it; ends early when `stopped()`. */
export function pacedTrades(
  trades: readonly Trade[],
  marketNow: () => number,
  speed: number,
  stopped: () => boolean,
): ReadableStream<Trade> {
  let i = 0;
  return new ReadableStream<Trade>({
    async pull(controller) {
      if (stopped() || i >= trades.length) return controller.close();
      const t = trades[i++]!;
      const wait = (t.ts - marketNow()) / speed;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      controller.enqueue(t);
    },
  });
}
