/**
 * The simulator's market: every trade of a file, per pair, in time order, with sequential
 * trade ids per pair (kept from the file when it has them).
 */
import type { Trade } from "../domain/trade.ts";

export interface BookTrade extends Trade {
  trade_id: number;
}

export class TradeBook {
  /** All trades in time order (stable for equal times). */
  readonly all: readonly BookTrade[];
  readonly byPair: ReadonlyMap<string, readonly BookTrade[]>;

  constructor(trades: Iterable<Trade>) {
    const sorted = [...trades].map((t, i) => ({ t, i })).sort((a, b) => a.t.ts - b.t.ts || a.i - b.i);
    const byPair = new Map<string, BookTrade[]>();
    const all: BookTrade[] = [];
    for (const { t } of sorted) {
      let list = byPair.get(t.pair);
      if (!list) byPair.set(t.pair, list = []);
      const prev = list[list.length - 1];
      const trade: BookTrade = { ...t, trade_id: t.trade_id ?? (prev ? prev.trade_id + 1 : 1) };
      list.push(trade);
      all.push(trade);
    }
    if (all.length === 0) throw new RangeError("the simulator needs a file with at least one trade");
    this.all = all;
    this.byPair = byPair;
  }

  get firstTs(): number {
    return (this.all[0] as BookTrade).ts;
  }

  get lastTs(): number {
    return (this.all[this.all.length - 1] as BookTrade).ts;
  }

  get pairs(): string[] {
    return [...this.byPair.keys()];
  }

  /** Up to `count` trades of `pair` with `ts >= fromMs` and `ts <= clock`. */
  since(pair: string, fromMs: number, clock: number, count: number): BookTrade[] {
    const list = this.byPair.get(pair) ?? [];
    const start = lowerBound(list, fromMs);
    const out: BookTrade[] = [];
    for (let i = start; i < list.length && out.length < count; i++) {
      const t = list[i] as BookTrade;
      if (t.ts > clock) break;
      out.push(t);
    }
    return out;
  }

  /** The last `count` trades of `pair` at or before `clock`. */
  latest(pair: string, clock: number, count: number): BookTrade[] {
    const list = this.byPair.get(pair) ?? [];
    const end = lowerBound(list, clock + 1);
    return list.slice(Math.max(0, end - count), end);
  }
}

/** Index of the first trade with `ts >= ms`. */
function lowerBound(list: readonly Trade[], ms: number): number {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as Trade).ts < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
