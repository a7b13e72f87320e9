/**
 * Numbering a pair's series across `end` messages, so a redelivery cannot start one again.
 *
 * An `end` ends a pair's series in both consumer stages (src/bus/stages.ts): the candles stage
 * forwards it after the pair's last candles, and the features stage then starts the pair afresh.
 * Should the candles stage stop after publishing a slice but before its checkpoint, it publishes
 * that slice again on restart: the same candles, then the same `end`. Taken at face value, the
 * repeated candles would start a new series in the features stage, and their warm-up rows would
 * overwrite the good ones. So the candles stage numbers each pair's series (one more at each
 * `end`, checkpointed with its state) and sends the number with every candle and `end`; the
 * features stage drops candles of a series before its current one, and an `end` it has applied.
 */
import type { Batch } from "../stages/batch.ts";

/**
 * The candles stage's numbering: its batches' candles carry their pair's current series, and each
 * `end` the number of the series it starts.
 *
 * @param series the current number per pair (a checkpoint's), advanced in place
 */
export function numberSeries(series: Record<string, number>): TransformStream<Batch, Batch> {
  return new TransformStream<Batch, Batch>({
    transform(batch, controller) {
      const of: Record<string, number> = {};
      for (const c of batch.candles) of[c.pair] ??= series[c.pair] ?? 0;
      batch.candleSeries = of;
      if (batch.ends?.length) {
        batch.endSeries = {};
        for (const pair of batch.ends) batch.endSeries[pair] = series[pair] = (series[pair] ?? 0) + 1;
      }
      batch.state.series = { ...series };
      controller.enqueue(batch);
    },
  });
}

/**
 * The features stage's side: drops the candles of a series before the pair's current one, and an
 * `end` that starts no later series than the current one (both a redelivery); applies the rest.
 * Candles and `end`s without a number (from a candles stage of an earlier version) pass.
 *
 * @param series the current number per pair (a checkpoint's), advanced in place
 */
export function dropStaleSeries(series: Record<string, number>): TransformStream<Batch, Batch> {
  return new TransformStream<Batch, Batch>({
    transform(batch, controller) {
      const of = batch.candleSeries;
      if (of) batch.candles = batch.candles.filter((c) => (of[c.pair] ?? Infinity) >= (series[c.pair] ?? 0));
      if (batch.ends?.length) {
        batch.ends = batch.ends.filter((pair) => {
          const starts = batch.endSeries?.[pair];
          if (starts === undefined) return true;
          if (starts <= (series[pair] ?? 0)) return false;
          series[pair] = starts;
          return true;
        });
      }
      batch.state.series = { ...series };
      controller.enqueue(batch);
    },
  });
}
