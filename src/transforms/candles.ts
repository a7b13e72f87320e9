/**
 * Trades → candles: event-time tumbling windows per pair, several sizes at once.
 *
 * Trades fill the smallest window; every bigger window is merged from the closed candles of the
 * smallest, so a 5m candle is exactly its five 1m candles, and candle files (OHLCVT) enter through
 * the same merge. A window closes when the pair's watermark (its latest trade time minus the
 * grace period) passes its end, or, when the source says it is live, after the same wait in wall
 * time without trades (`tick`). A window without trades becomes a flat candle at the previous close
 * (volume 0, trades 0, vwap = close), so every series is gap-free. A trade for a window that has
 * already closed is counted as late and never changes a closed candle.
 *
 * The state is plain data (JSON-serialisable) so it can be checkpointed with the trade cursor.
 * `step` mutates and returns it: copying state per trade would cost more than the work itself.
 *
 * One file of about 320 lines on purpose: trades, the idle tick, the final flush and candle-file
 * candles all close and merge windows through the same private helpers over the per-pair state,
 * which a split would have to export.
 */
import type { Trade } from "../domain/trade.ts";
import { type Candle, type Window, WINDOW_MS, windowStart } from "../domain/candle.ts";

export interface CandleOptions {
  /** Window sizes, smallest first (see `parseWindows`); each a multiple of the smallest. */
  windows: readonly Window[];
  /** How long past a window's end out-of-order trades are still accepted, ms. @default 5000 */
  graceMs?: number;
}

/** An open window of the base size. */
interface Bucket {
  start: number;
  /** Times of the trades that set open and close, so out-of-order trades land right. */
  openTs: number;
  closeTs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  pv: number;
  trades: number;
  buy: number;
  sell: number;
}

interface PairState {
  /** Latest trade time seen, epoch ms. */
  maxTs: number;
  /** Wall time the latest trade arrived, for idle closing. */
  arrivedAt: number;
  /** End of the last closed base window; trades before it are late. */
  closedUntil: number | null;
  lastClose: number | null;
  /** Open base windows, oldest first (more than one only within the grace period). */
  open: Bucket[];
  /** Partial bigger candles being merged, per window. */
  merging: Partial<Record<Window, Candle>>;
}

export interface CandleState {
  version: 1;
  windows: Window[];
  graceMs: number;
  pairs: Record<string, PairState>;
  /** Trades that came after their window had closed. */
  late: number;
}

export function initialCandleState(options: CandleOptions): CandleState {
  const windows = [...options.windows];
  const base = WINDOW_MS[windows[0] as Window];
  if (windows.length === 0) throw new RangeError("at least one window is needed");
  for (const w of windows) {
    if (WINDOW_MS[w] % base !== 0) throw new RangeError(`window ${w} is not a multiple of ${windows[0]}`);
  }
  return { version: 1, windows, graceMs: options.graceMs ?? 5000, pairs: {}, late: 0 };
}

function pairState(state: CandleState, pair: string): PairState {
  return state.pairs[pair] ??= {
    maxTs: -Infinity,
    arrivedAt: 0,
    closedUntil: null,
    lastClose: null,
    open: [],
    merging: {},
  };
}

/**
 * Adds one trade; returns the candles it closed (all windows, in time order per window).
 * `arrivedAt` is the wall-clock time, used only by {@linkcode tickCandles}.
 */
export function stepCandles(state: CandleState, trade: Trade, arrivedAt = 0): Candle[] {
  const p = pairState(state, trade.pair);
  const size = WINDOW_MS[state.windows[0] as Window];
  const start = windowStart(trade.ts, size);
  if (p.closedUntil !== null && start < p.closedUntil) {
    state.late++;
    return [];
  }
  let bucket: Bucket | undefined;
  for (let i = p.open.length - 1; i >= 0; i--) {
    const b = p.open[i] as Bucket;
    if (b.start === start) {
      bucket = b;
      break;
    }
  }
  if (bucket === undefined) {
    bucket = {
      start,
      openTs: trade.ts,
      closeTs: trade.ts,
      open: trade.price,
      high: trade.price,
      low: trade.price,
      close: trade.price,
      volume: 0,
      pv: 0,
      trades: 0,
      buy: 0,
      sell: 0,
    };
    let i = p.open.length;
    while (i > 0 && (p.open[i - 1] as Bucket).start > start) i--;
    p.open.splice(i, 0, bucket);
  } else {
    if (trade.price > bucket.high) bucket.high = trade.price;
    if (trade.price < bucket.low) bucket.low = trade.price;
    // Ties keep arrival order: the exchange's order for trades of the same millisecond.
    if (trade.ts >= bucket.closeTs) {
      bucket.close = trade.price;
      bucket.closeTs = trade.ts;
    }
    if (trade.ts < bucket.openTs) {
      bucket.open = trade.price;
      bucket.openTs = trade.ts;
    }
  }
  bucket.volume += trade.qty;
  bucket.pv += trade.price * trade.qty;
  bucket.trades++;
  if (trade.side === "buy") bucket.buy += trade.qty;
  else bucket.sell += trade.qty;
  if (trade.ts > p.maxTs) p.maxTs = trade.ts;
  p.arrivedAt = arrivedAt;
  return closeUpTo(state, trade.pair, p, p.maxTs - state.graceMs);
}

/**
 * Closes windows of pairs that have been idle: with no trade for as long as a window plus the
 * grace would take, the exchange's clock is taken to be the last trade time plus the wall time
 * since it arrived, and never past `cap` (the market's own clock, where it has one: a replay's
 * stops at its end). Call it only while the source is live and caught up (a REST gap fill brings
 * trades from the past, which must not find their windows closed).
 */
export function tickCandles(state: CandleState, now: number, cap = Infinity): Candle[] {
  const out: Candle[] = [];
  for (const [pair, p] of Object.entries(state.pairs)) {
    if (p.maxTs === -Infinity) continue;
    const estimated = Math.min(cap, p.maxTs + Math.max(0, now - p.arrivedAt));
    out.push(...closeUpTo(state, pair, p, estimated - state.graceMs));
  }
  return out;
}

/**
 * Closes every open window of every size (of one pair, when given), e.g. at the end of a bounded
 * history: the last candles then cover only the part of their window that the history reached.
 */
export function flushCandles(state: CandleState, onlyPair?: string): Candle[] {
  const out: Candle[] = [];
  for (const [pair, p] of Object.entries(state.pairs)) {
    if (onlyPair !== undefined && pair !== onlyPair) continue;
    const last = p.open[p.open.length - 1];
    if (last) out.push(...closeUpTo(state, pair, p, last.start + WINDOW_MS[state.windows[0] as Window]));
    for (const w of state.windows.slice(1)) {
      const m = p.merging[w];
      if (m === undefined) continue;
      delete p.merging[w];
      out.push({ ...m, vwap: m.volume > 0 ? m.vwap / m.volume : m.close });
    }
  }
  return out;
}

/**
 * Forgets a pair: its next trade starts a new series (no flat candles bridging the gap from the
 * last one, no window merged across it). Close its windows first (`flushCandles`).
 */
export function forgetPair(state: CandleState, pair: string): void {
  delete state.pairs[pair];
}

function closeUpTo(state: CandleState, pair: string, p: PairState, watermark: number): Candle[] {
  const base = state.windows[0] as Window;
  const size = WINDOW_MS[base];
  let out: Candle[] | undefined;
  while (p.open.length > 0 && (p.open[0] as Bucket).start + size <= watermark) {
    const b = p.open.shift() as Bucket;
    out ??= [];
    if (p.closedUntil !== null && p.lastClose !== null) {
      for (let s = p.closedUntil; s < b.start; s += size) {
        emit(state, p, flat(pair, base, s, size, p.lastClose), out);
      }
    }
    emit(state, p, {
      pair,
      window: base,
      window_start: b.start,
      window_end: b.start + size,
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
      vwap: b.volume > 0 ? b.pv / b.volume : b.close,
      trades: b.trades,
      buy_volume: b.buy,
      sell_volume: b.sell,
    }, out);
  }
  // Quiet markets: flat candles up to the watermark even with no open window.
  if (p.open.length === 0 && p.closedUntil !== null && p.lastClose !== null) {
    for (let s = p.closedUntil; s + size <= watermark; s += size) {
      out ??= [];
      emit(state, p, flat(pair, base, s, size, p.lastClose), out);
    }
  }
  return out ?? [];
}

function flat(pair: string, window: Window, start: number, size: number, price: number): Candle {
  return {
    pair,
    window,
    window_start: start,
    window_end: start + size,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 0,
    vwap: price,
    trades: 0,
    buy_volume: 0,
    sell_volume: 0,
  };
}

/** Emits a closed base candle and merges it into every bigger window. */
function emit(state: CandleState, p: PairState, c: Candle, out: Candle[]): void {
  out.push(c);
  p.closedUntil = c.window_end;
  p.lastClose = c.close;
  mergeUp(state, p, c, out);
}

/**
 * Merges a closed candle of the smallest window into the bigger windows, emitting each bigger
 * candle when its last part arrives. Also how candle files enter: {@linkcode stepCandle}.
 */
function mergeUp(state: CandleState, p: PairState, c: Candle, out: Candle[]): void {
  for (let i = 1; i < state.windows.length; i++) {
    const w = state.windows[i] as Window;
    const size = WINDOW_MS[w];
    const start = windowStart(c.window_start, size);
    let m = p.merging[w];
    if (m !== undefined && m.window_start !== start) {
      // A bigger window that never saw its last part (the series started mid-window): drop it
      // rather than emit a candle built from part of its time.
      m = undefined;
    }
    if (m === undefined) {
      if (c.window_start !== start) continue; // a partial bigger window at the start of a series
      m = { ...c, window: w, window_start: start, window_end: start + size, vwap: c.vwap * c.volume };
      p.merging[w] = m;
    } else if (c.trades > 0) {
      if (m.trades === 0) {
        // Flat candles only carry the previous close forward: the first traded part opens the window.
        m.open = c.open;
        m.high = c.high;
        m.low = c.low;
      } else {
        if (c.high > m.high) m.high = c.high;
        if (c.low < m.low) m.low = c.low;
      }
      m.close = c.close;
      m.volume += c.volume;
      m.vwap += c.vwap * c.volume;
      m.trades += c.trades;
      m.buy_volume += c.buy_volume;
      m.sell_volume += c.sell_volume;
    }
    if (c.window_end === m.window_end) {
      delete p.merging[w];
      out.push({ ...m, vwap: m.volume > 0 ? m.vwap / m.volume : m.close });
    }
  }
}

/**
 * Adds one already-built candle of the smallest window (from a candle file); returns the
 * candles it closes, itself included, plus flat candles for any gap before it.
 */
export function stepCandle(state: CandleState, candle: Candle): Candle[] {
  const base = state.windows[0] as Window;
  if (candle.window !== base) {
    throw new RangeError(`candle window ${candle.window} is not the smallest window ${base}`);
  }
  const p = pairState(state, candle.pair);
  if (p.closedUntil !== null && candle.window_start < p.closedUntil) {
    state.late++;
    return [];
  }
  const out: Candle[] = [];
  if (p.closedUntil !== null && p.lastClose !== null) {
    const size = WINDOW_MS[base];
    for (let s = p.closedUntil; s < candle.window_start; s += size) {
      emit(state, p, flat(candle.pair, base, s, size, p.lastClose), out);
    }
  }
  emit(state, p, candle, out);
  p.maxTs = Math.max(p.maxTs, candle.window_end - 1);
  return out;
}
