/**
 * Trades at real density for the benchmarks (bench/density.ts, bench/bus_scaling.ts): the shared
 * real Kraken hour repeated per pair, scaled to a plausible price and tick for it, with shifted
 * times and ids; or, without ../shared, the synthetic market squeezed to the same trades per minute.
 */
import type { Trade } from "../src/domain/trade.ts";
import { syntheticTrades } from "../src/sim/synthetic.ts";

const REAL_HOUR = new URL(
  "../../shared/data/kraken/trades_btcusd_2019-07-01T00_1h_kraken.csv",
  import.meta.url,
).pathname;
const HOUR_MS = 3_600_000;
/** The shared hour: 2,672 trades, with trades in every one of its 60 minutes. */
export const REAL_TRADES_PER_MINUTE = 2672 / 60;

/** A pair the hour is copied to, with the scale of its price and its tick. */
export interface DensityPair {
  pair: string;
  scale: number;
  decimals: number;
}

/** Four pairs (bench/density.ts). */
export const FOUR_PAIRS: readonly DensityPair[] = [
  { pair: "BTC/USD", scale: 1, decimals: 1 },
  { pair: "ETH/USD", scale: 1 / 36, decimals: 2 },
  { pair: "SOL/USD", scale: 1 / 700, decimals: 3 },
  { pair: "XRP/USD", scale: 1 / 27_000, decimals: 5 },
];

/** Kafka's murmur2 key hash puts each of these in its own one of 8 partitions (bench/bus_scaling.ts prints the counts). */
export const EIGHT_PAIRS: readonly DensityPair[] = [
  { pair: "SOL/USD", scale: 1 / 700, decimals: 3 },
  { pair: "ADA/USD", scale: 1 / 30_000, decimals: 6 },
  { pair: "TRX/USD", scale: 1 / 450_000, decimals: 6 },
  { pair: "ETH/USD", scale: 1 / 36, decimals: 2 },
  { pair: "XRP/USD", scale: 1 / 27_000, decimals: 5 },
  { pair: "BTC/USD", scale: 1, decimals: 1 },
  { pair: "BCH/USD", scale: 1 / 30, decimals: 2 },
  { pair: "AVAX/USD", scale: 1 / 400, decimals: 3 },
];

type Tick = Pick<Trade, "ts" | "price" | "qty" | "side">;
const round = (x: number, decimals: number) => Number(x.toFixed(decimals));

export interface DensityInput {
  trades: Trade[];
  /** Trades in the real hour, or null when it is absent and the trades are synthetic. */
  realHourTrades: number | null;
}

/** `n` trades of `pairs`, time-ordered, from the real hour if it is there, else synthetic. */
export async function densityInput(pairs: readonly DensityPair[], n: number): Promise<DensityInput> {
  const hour = await realHour();
  return hour
    ? { trades: fromRealHour(hour, pairs, n), realHourTrades: hour.length }
    : { trades: fromSynthetic(pairs, n), realHourTrades: null };
}

async function realHour(): Promise<Tick[] | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(REAL_HOUR);
  } catch {
    return null;
  }
  const [head, ...lines] = text.trim().split("\n");
  const col = Object.fromEntries((head ?? "").split(",").map((name, i) => [name.trim(), i]));
  return lines.map((line) => {
    const c = line.split(",");
    return {
      ts: Number(c[col.time_ms as number]),
      price: Number(c[col.price as number]),
      qty: Number(c[col.qty as number]),
      side: c[col.side as number] === "sell" ? "sell" : "buy",
    };
  });
}

/**
 * Per pair the hour back to back, each pair's series 1/len(pairs) of an hour behind the last so the
 * pairs are not in step. Every other copy runs the hour's returns backwards in price (taker side
 * flipped), so each copy opens where the previous one closed and the series neither jumps nor
 * drifts away over the copies.
 */
function fromRealHour(hour: Tick[], pairs: readonly DensityPair[], n: number): Trade[] {
  const first = (hour[0] as Tick).price, last = (hour.at(-1) as Tick).price;
  const copies = Math.ceil(n / pairs.length / hour.length);
  const out: Trade[] = [];
  pairs.forEach(({ pair, scale, decimals }, j) => {
    let level = first * scale, id = 0;
    for (let h = 0; h < copies; h++) {
      const mirrored = h % 2 === 1;
      for (const t of hour) {
        out.push({
          pair,
          ts: t.ts + h * HOUR_MS + j * HOUR_MS / pairs.length,
          price: round(level * (mirrored ? first / t.price : t.price / first), decimals),
          qty: round(t.qty / scale, 8),
          side: mirrored ? (t.side === "buy" ? "sell" : "buy") : t.side,
          trade_id: ++id,
        });
      }
      level *= mirrored ? first / last : last / first;
    }
  });
  return out.sort((a, b) => a.ts - b.ts).slice(0, n);
}

/** The synthetic market with time squeezed so a minute holds as many trades as the real hour's. */
function fromSynthetic(of: readonly DensityPair[], n: number): Trade[] {
  const start = Date.UTC(2019, 6, 1);
  const pairs = of.map((p) => p.pair);
  let minutes = Math.ceil(n / pairs.length / 20);
  let trades = syntheticTrades({ pairs, start, minutes, seed: 7 });
  while (trades.length < n) {
    minutes = Math.ceil(minutes * 1.2);
    trades = syntheticTrades({ pairs, start, minutes, seed: 7 });
  }
  const squeeze = trades.length / pairs.length / minutes / REAL_TRADES_PER_MINUTE;
  return trades.slice(0, n).map((t) => ({ ...t, ts: start + Math.floor((t.ts - start) * squeeze) }));
}

/** The same trades again, later and with higher ids: new work for the stages, not redeliveries. */
export function continued(input: readonly Trade[]): Trade[] {
  const span = Math.ceil(((input.at(-1) as Trade).ts - (input[0] as Trade).ts + 1) / HOUR_MS) * HOUR_MS;
  const lastId = new Map<string, number>();
  for (const t of input) lastId.set(t.pair, Math.max(lastId.get(t.pair) ?? 0, t.trade_id ?? 0));
  return input.map((t) => ({
    ...t,
    ts: t.ts + span,
    trade_id: (t.trade_id ?? 0) + (lastId.get(t.pair) ?? 0),
  }));
}
