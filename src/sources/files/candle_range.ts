/** The part of a candle file a backfill loads: a time range, past what a resumed job already wrote. */
import type { Candle } from "../../domain/candle.ts";

export interface CandleRange {
  /** First window start loaded, epoch ms. @default -Infinity */
  from?: number | undefined;
  /** Window starts before this are loaded, epoch ms. @default Infinity */
  to?: number | undefined;
  /** Candles of the range to pass over first: those a resumed job has already written. @default 0 */
  skip?: number;
}

/**
 * The candles with `from <= window_start < to`, after the first `skip` of them.
 *
 * @example
 * ```ts
 * const candles = candlesInRange((await candleFile(path, options)).stream, { from, skip: 1200 });
 * ```
 */
export function candlesInRange(stream: ReadableStream<Candle>, range: CandleRange): ReadableStream<Candle> {
  const from = range.from ?? -Infinity, to = range.to ?? Infinity;
  let skip = range.skip ?? 0;
  return stream.pipeThrough(
    new TransformStream<Candle, Candle>({
      transform(candle, controller) {
        if (candle.window_start < from || candle.window_start >= to) return;
        if (skip > 0) skip--;
        else controller.enqueue(candle);
      },
    }),
  );
}
