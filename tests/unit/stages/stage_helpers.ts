/** What every stage test shares: inputs, running a stage over them, and the error and cancellation checks. */
import { assertEquals } from "../../assert.ts";
import type { Candle } from "../../../src/domain/candle.ts";
import type { Trade } from "../../../src/domain/trade.ts";
import { type Batch, emptyBatch } from "../../../src/stages/batch.ts";

export const T0 = Date.UTC(2024, 0, 1);

export function trade(pair: string, second: number, price: number, tradeId?: number): Trade {
  return {
    pair,
    price,
    qty: 1,
    side: "buy",
    ts: T0 + second * 1000,
    ...(tradeId === undefined ? {} : { trade_id: tradeId }),
  };
}

export function bar(pair: string, minute: number, close: number): Candle {
  const start = T0 + minute * 60_000;
  return {
    pair,
    window: "1m",
    window_start: start,
    window_end: start + 60_000,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    vwap: close,
    trades: 1,
    buy_volume: 1,
    sell_volume: 0,
  };
}

export function batchOf(trades: Trade[], more: Partial<Batch> = {}): Batch {
  return { ...emptyBatch(), trades, ...more };
}

/** The stage's output for `inputs`, read to the end. */
export function through<I, O>(stage: TransformStream<I, O>, inputs: I[]): Promise<O[]> {
  return Array.fromAsync(ReadableStream.from(inputs).pipeThrough(stage));
}

/** Asserts that an error of the source reaches the stage's reader unchanged. */
export async function assertPassesErrors<I, O>(stage: TransformStream<I, O>, first: I): Promise<void> {
  const boom = new Error("the source failed");
  const source = new ReadableStream<I>({
    start(c) {
      c.enqueue(first);
      c.error(boom);
    },
  });
  let got: unknown;
  await Array.fromAsync(source.pipeThrough(stage)).catch((e) => got = e);
  assertEquals(got, boom);
}

/** Asserts that cancelling the stage's reader cancels the source, with the same reason. */
export async function assertPassesCancellation<I, O>(stage: TransformStream<I, O>, item: I): Promise<void> {
  let reason: unknown;
  const source = new ReadableStream<I>({
    pull(c) {
      c.enqueue(item);
    },
    cancel(r) {
      reason = r;
    },
  });
  const reader = source.pipeThrough(stage).getReader();
  await reader.read();
  await reader.cancel("enough");
  assertEquals(reason, "enough");
}
