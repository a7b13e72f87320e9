/**
 * A synthetic market, labelled as such wherever it is used: per pair, one-minute log returns
 * with some momentum (AR(1), φ = 0.35, so a model has something to learn) and volatility regimes (calm and stormy, switching as
 * a Markov chain), filled with trades inside each minute: a Poisson number of them (more in
 * storms), prices walking from the minute's open to its close, log-normal sizes, sides by the
 * tick rule. With `regimeChangeMinute`, the momentum turns to mean reversion (φ = −0.35) from that
 * minute on: a model trained before it is worse than "no change" after it, and one retrained on the
 * new regime is better again (the demo's drill of the model loop). Deterministic for a seed. Pure.
 */
import type { Trade } from "../domain/trade.ts";
import { seededRandom } from "../util/random.ts";

export interface SyntheticOptions {
  pairs: readonly string[];
  /** First minute, epoch ms. */
  start: number;
  minutes: number;
  seed?: number;
  /** The minute from which returns mean-revert instead of trending. */
  regimeChangeMinute?: number | undefined;
}

const START_PRICE: Record<string, number> = { "BTC/USD": 60_000, "ETH/USD": 3_000, "SOL/USD": 150 };

/** Trades of every pair, in time order. */
export function syntheticTrades(
  { pairs, start, minutes, seed = 42, regimeChangeMinute = Infinity }: SyntheticOptions,
): Trade[] {
  const out: Trade[] = [];
  pairs.forEach((pair, k) => {
    const r = seededRandom(seed * 31 + k);
    const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
    let price = START_PRICE[pair] ?? 100;
    let ret = 0;
    let stormy = false;
    let id = 1;
    let lastPrice = price;
    let side: "buy" | "sell" = "buy";
    for (let m = 0; m < minutes; m++) {
      if (r() < (stormy ? 0.02 : 0.005)) stormy = !stormy;
      const sigma = stormy ? 0.0018 : 0.0006;
      ret = (m < regimeChangeMinute ? 0.35 : -0.35) * ret + sigma * gauss();
      const open = price;
      const close = open * Math.exp(ret);
      // Poisson by inversion: about 20 trades a minute when calm, 60 in a storm.
      const lambda = stormy ? 60 : 20;
      let n = 0;
      for (let p = Math.exp(-lambda), s = p, u = r(); u > s; n++) s += p *= lambda / (n + 1);
      const times = Array.from({ length: n }, () => Math.floor(r() * 60_000)).sort((a, b) => a - b);
      times.forEach((dt, i) => {
        const f = (i + 1) / n;
        // The minute's last trade is its close; the ones before wander a little around the path.
        const wobble = i === n - 1 ? 0 : sigma * 0.2 * gauss();
        const px = Math.round(open * Math.exp(Math.log(close / open) * f + wobble) * 100) / 100;
        if (px !== lastPrice) side = px > lastPrice ? "buy" : "sell";
        lastPrice = px;
        out.push({
          pair,
          price: px,
          qty: Math.round(Math.exp(gauss() - 3) * 1e6) / 1e6 + 1e-6,
          side,
          ts: start + m * 60_000 + dt,
          trade_id: id++,
          ord_type: r() < 0.4 ? "market" : "limit",
        });
      });
      price = close;
    }
  });
  return out.sort((a, b) => a.ts - b.ts || a.pair.localeCompare(b.pair) || a.trade_id! - b.trade_id!);
}
