/**
 * The consumer stages over the bus. Each message goes through the same steps as the embedded
 * pipeline's stages (src/stages/); only the transport differs.
 * - candles: `trades` → `dedupeTrades` → `closedCandles` → `candles`. An `end` message closes the
 *   pair's open windows (a bounded history).
 * - features: `candles` → `featureRows` → both stores and `features`. A candle at or before a
 *   series' last one is a redelivery (or a rebuilt partition replaying) and is dropped.
 */
import type { Candle, Window } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import { closedCandles } from "../stages/candles.ts";
import { dedupeTrades } from "../stages/dedupe.ts";
import { featureRows } from "../stages/indicators.ts";
import { type CandleState, flushCandles, initialCandleState } from "../transforms/candles.ts";
import type { IndicatorSetState } from "../transforms/indicators.ts";
import type { FeatureStores } from "../stores/feature_stores.ts";
import { encode } from "./codec.ts";
import type { StageSpec } from "./consumer_stage.ts";
import type { BusProducer } from "./producer.ts";
import type { Topics } from "./topics.ts";

export interface CandlesStageState {
  candles: CandleState;
  lastTradeId: Record<string, number>;
}

export function candlesStage(
  topics: Topics,
  groupPrefix: string,
  options: { windows: readonly Window[]; graceMs: number },
  producer: BusProducer,
): StageSpec<CandlesStageState, Candle> {
  return {
    name: "candles",
    groupId: `${groupPrefix}candles-stage`,
    topic: topics.trades,
    kind: "trade",
    initial: () => ({ candles: initialCandleState(options), lastTradeId: {} }),
    step(state, message) {
      if (message.type === "end") return flushCandles(state.candles, message.data.pair);
      if (message.type !== "trade") return [];
      const trades = [message.data];
      dedupeTrades(state.lastTradeId, trades);
      return closedCandles(state.candles, trades);
    },
    async write(candles) {
      await producer.send(
        topics.candles,
        candles.map((c) => ({ key: c.pair, value: encode({ type: "candle", data: c }) })),
      );
    },
  };
}

export interface FeaturesStageState {
  indicators: Record<string, IndicatorSetState>;
  lastStart: Record<string, number>;
}

export function featuresStage(
  topics: Topics,
  groupPrefix: string,
  stores: Pick<FeatureStores, "upsert">,
  producer: BusProducer,
): StageSpec<FeaturesStageState, FeatureRow> {
  return {
    name: "features",
    groupId: `${groupPrefix}features-stage`,
    topic: topics.candles,
    kind: "candle",
    initial: () => ({ indicators: {}, lastStart: {} }),
    step(state, message) {
      if (message.type !== "candle") return [];
      const c = message.data;
      const key = `${c.pair}|${c.window}`;
      const last = state.lastStart[key];
      if (last !== undefined && c.window_start <= last) return [];
      state.lastStart[key] = c.window_start;
      // A failed slice rolls `state` back to a copy, so no indicator set is kept between candles.
      return featureRows(state.indicators, [c]);
    },
    async write(rows) {
      if (rows.length === 0) return;
      await stores.upsert(rows);
      await producer.send(
        topics.features,
        rows.map((r) => ({ key: r.pair, value: encode({ type: "feature", data: r }) })),
      );
    },
  };
}
