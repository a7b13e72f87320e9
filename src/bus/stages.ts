/**
 * The consumer stages over the bus: the embedded pipeline's stages (src/stages/) between a
 * partition's slices and a sink that publishes, per partition:
 *
 * ```ts
 * // candles: trades → candles
 * slices.pipeThrough(dedupe(state.lastTradeId)).pipeThrough(candles(state.candles, { flushOnEnd: false }))
 *   .pipeTo(publish(producer, topics.candles, candleMessages, saved));
 * // features: candles → both stores and features
 * slices.pipeThrough(dedupeCandles(state.lastStart)).pipeThrough(indicators(state.indicators))
 *   .pipeTo(publish(producer, topics.features, featureMessages, saved, stores));
 * ```
 *
 * An `end` message closes its pair's open windows (a bounded history) and ends the pair's series:
 * the candles stage forwards it after the pair's last candles, and both stages start the pair's
 * next input afresh, as a second embedded run would. The stream itself never ends while the
 * partition is owned, so nothing is flushed at its end.
 */
import type { Candle, Window } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import type { Batch, Forecast } from "../stages/batch.ts";
import { candles } from "../stages/candles.ts";
import { dedupe, dedupeCandles } from "../stages/dedupe.ts";
import { indicators } from "../stages/indicators.ts";
import { type CandleState, initialCandleState } from "../transforms/candles.ts";
import type { IndicatorSetState } from "../transforms/indicators.ts";
import type { FeatureStores } from "../stores/feature_stores.ts";
import { encode } from "./codec.ts";
import { dropStaleSeries, numberSeries } from "./series_numbers.ts";
import type { StageSpec } from "./consumer_stage.ts";
import type { BusProducer, OutMessage } from "./producer.ts";
import type { Topics } from "./topics.ts";

export interface CandlesStageState {
  candles: CandleState;
  lastTradeId: Record<string, number>;
  /** Each pair's series number (./series_numbers.ts); absent in checkpoints of earlier versions. */
  series?: Record<string, number>;
}

export function candlesStage(
  topics: Topics,
  groupPrefix: string,
  options: { windows: readonly Window[]; graceMs: number },
  producer: BusProducer,
): StageSpec<CandlesStageState> {
  return {
    name: "candles",
    groupId: `${groupPrefix}candles-stage`,
    topic: topics.trades,
    kind: "trade",
    initial: () => ({ candles: initialCandleState(options), lastTradeId: {}, series: {} }),
    pipeline: (slices, state, saved) =>
      slices.pipeThrough(dedupe(state.lastTradeId)).pipeThrough(candles(state.candles, { flushOnEnd: false }))
        .pipeThrough(numberSeries(state.series ??= {}))
        .pipeTo(publish(producer, topics.candles, candleMessages, (batch) =>
          saved(batch, {
            candles: batch.state.candles ?? state.candles,
            lastTradeId: batch.state.lastTradeId ?? state.lastTradeId,
            series: batch.state.series ?? state.series ?? {},
          }))),
  };
}

export interface FeaturesStageState {
  indicators: Record<string, IndicatorSetState>;
  lastStart: Record<string, number>;
  /** Each pair's series number (./series_numbers.ts); absent in checkpoints of earlier versions. */
  series?: Record<string, number>;
}

export function featuresStage(
  topics: Topics,
  groupPrefix: string,
  stores: Pick<FeatureStores, "upsert">,
  producer: BusProducer,
): StageSpec<FeaturesStageState> {
  return {
    name: "features",
    groupId: `${groupPrefix}features-stage`,
    topic: topics.candles,
    kind: "candle",
    initial: () => ({ indicators: {}, lastStart: {}, series: {} }),
    pipeline: (slices, state, saved) =>
      slices.pipeThrough(dropStaleSeries(state.series ??= {})).pipeThrough(dedupeCandles(state.lastStart))
        .pipeThrough(indicators(state.indicators))
        .pipeTo(publish(producer, topics.features, featureMessages, (batch) =>
          saved(batch, {
            indicators: batch.state.indicators ?? state.indicators,
            lastStart: batch.state.lastStart ?? state.lastStart,
            series: batch.state.series ?? state.series ?? {},
          }), stores)),
  };
}

/** The batch's candles, then an `end` per pair whose input ended, so the features stage ends it too. */
const candleMessages = (batch: Batch): OutMessage[] => [
  ...batch.candles.map((c: Candle) => ({
    key: c.pair,
    value: encode({ type: "candle", data: c, series: batch.candleSeries?.[c.pair] ?? 0 }),
  })),
  ...(batch.ends ?? []).map((pair) => ({
    key: pair,
    value: encode({ type: "end", data: { pair }, series: batch.endSeries?.[pair] ?? 0 }),
  })),
];

const featureMessages = (batch: Batch): OutMessage[] =>
  batch.rows.map((r: FeatureRow) => ({ key: r.pair, value: encode({ type: "feature", data: r }) }));

/**
 * A stage's sink: each batch's rows into the stores (if given), then its forecasts (if given: after
 * the rows they read, as `persist()` writes them), its messages to `topic`, then `saved`; a batch
 * with nothing to write still reaches `saved`, so its offsets are committed.
 */
export function publish(
  producer: BusProducer,
  topic: string,
  messages: (batch: Batch) => OutMessage[],
  saved: (batch: Batch) => Promise<void>,
  stores?: Pick<FeatureStores, "upsert">,
  predictions?: { write(forecasts: readonly Forecast[]): Promise<void> },
): WritableStream<Batch> {
  return new WritableStream<Batch>({
    async write(batch) {
      if (stores && batch.rows.length > 0) await stores.upsert(batch.rows);
      if (predictions && batch.forecasts.length > 0) await predictions.write(batch.forecasts);
      const out = messages(batch);
      if (out.length > 0) await producer.send(topic, out);
      await saved(batch);
    },
  });
}
