/**
 * The checkpoint cut: trades (or candles of a candle file) in, batches out. A batch is what the
 * pipeline writes and checkpoints together, so it is cut by size and by time: a trade waits at most
 * `ms` before it is handed on, whether the source is a file or a quiet market. Trades come one at a
 * time or, from a source that reads them in bulk (a file), as arrays: a stream hop per trade
 * costs more than parsing it. Batches are cut at the same counts either way.
 *
 * This is the only stage that reads a clock and sets timers, so it takes the clock as an option;
 * the stages after it are pure functions of the batches.
 */
import type { Candle } from "../domain/candle.ts";
import type { Clock } from "../domain/ports.ts";
import type { Trade } from "../domain/trade.ts";
import { systemClock } from "../util/clock.ts";
import { type Batch, emptyBatch } from "./batch.ts";

export interface CutOptions<T> {
  /** Most items in a batch. @default 1000 */
  size?: number;
  /** Longest an item waits for its batch to be handed on, ms. @default 250 */
  ms?: number;
  /** The wall clock. @default systemClock */
  clock?: Clock;
  /**
   * For a live source: while `isLive()`, a batch every `everyMs` carries an idle tick, so the
   * windows of a quiet market close on wall-clock time; each trade's arrival time is kept for it.
   * With `market`, the market's clock, the tick carries it too, and no window closes past it (a
   * replay's clock stops at its end).
   */
  idle?: { isLive: () => boolean; everyMs: number; market?: (() => number) | undefined } | undefined;
  /** Called with each item as it is taken in, before it joins a batch. */
  observe?: ((item: T) => void) | undefined;
}

/**
 * Trades → batches of trades. `flush` emits the last partial batch, if any; idle ticks stop there.
 *
 * @example
 * ```ts
 * const batches = trades.pipeThrough(cut({ size: 1000, ms: 250 }));
 * ```
 */
export function cut(options: CutOptions<Trade> = {}): TransformStream<Trade | readonly Trade[], Batch> {
  return cutting(options, (batch, items) => batch.trades = items);
}

/** Candles of a candle file → batches of them (`bars`); as {@linkcode cut}, without idle ticks. */
export function cutBars(
  options: Omit<CutOptions<Candle>, "idle"> = {},
): TransformStream<Candle | readonly Candle[], Batch> {
  return cutting(options, (batch, items) => batch.bars = items);
}

function cutting<T extends object>(
  options: CutOptions<T>,
  place: (batch: Batch, items: T[]) => void,
): TransformStream<T | readonly T[], Batch> {
  const size = options.size ?? 1000;
  const ms = options.ms ?? 250;
  if (!Number.isInteger(size) || size <= 0) {
    throw new RangeError(`cut: size must be a positive integer, not ${size}`);
  }
  if (!(ms > 0)) throw new RangeError(`cut: ms must be positive, not ${ms}`);
  const { idle, observe } = options;
  if (idle && !(idle.everyMs > 0)) {
    throw new RangeError(`cut: idle.everyMs must be positive, not ${idle.everyMs}`);
  }
  const clock = options.clock ?? systemClock;

  let items: T[] = [];
  let arrivals: number[] | undefined = idle ? [] : undefined;
  let lastCut = clock.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let controller: TransformStreamDefaultController<Batch>;

  const stop = () => {
    clearTimeout(timer);
    clearInterval(ticker);
    timer = ticker = undefined;
  };
  const emit = (now: number, tick?: number) => {
    clearTimeout(timer);
    timer = undefined;
    lastCut = now;
    if (items.length === 0 && tick === undefined) return;
    const batch = emptyBatch();
    place(batch, items);
    items = [];
    if (arrivals) {
      batch.arrivals = arrivals;
      arrivals = [];
    }
    if (tick !== undefined) {
      batch.tick = tick;
      if (idle?.market) batch.tickCap = idle.market();
    }
    controller.enqueue(batch);
  };
  const add = (item: T, now: number) => {
    observe?.(item);
    items.push(item);
    arrivals?.push(now);
    if (items.length >= size) emit(now);
  };
  // A timer has no caller to fail: once the stream is gone, it just stops.
  const onTimer = (tick: boolean) => {
    try {
      const now = clock.now();
      emit(now, tick ? now : undefined);
    } catch {
      stop();
    }
  };

  return new TransformStream<T | readonly T[], Batch>({
    start(c) {
      controller = c;
      if (idle) ticker = setInterval(() => idle.isLive() && onTimer(true), idle.everyMs);
    },
    transform(chunk) {
      const now = clock.now();
      if (!Array.isArray(chunk)) add(chunk as T, now);
      else for (const item of chunk as readonly T[]) add(item, now);
      if (items.length === 0) return;
      if (now - lastCut >= ms) emit(now);
      else if (timer === undefined) timer = setTimeout(() => onTimer(false), ms);
    },
    flush() {
      stop();
      emit(clock.now());
    },
    cancel() {
      stop();
    },
  });
}
