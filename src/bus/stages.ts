/**
 * The consumer stages over the bus. The transforms are exactly the embedded pipeline's; only the
 * transport differs.
 * - candles: `trades` → candle reducer → `candles`. Trades at or below a pair's last trade_id are
 *   redeliveries and are dropped; an `end` message closes the pair's open windows (a bounded history).
 * - features: `candles` → indicators → both stores and `features`. A candle at or before a series'
 *   last one is a redelivery (or a rebuilt partition replaying) and is dropped.
 */
import type { Candle, Window } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import { type CandleState, flushCandles, initialCandleState, stepCandles } from "../transforms/candles.ts";
import { IndicatorSet, type IndicatorSetState } from "../transforms/indicators.ts";
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
      const t = message.data;
      if (t.trade_id !== undefined) {
        const last = state.lastTradeId[t.pair];
        if (last !== undefined && t.trade_id <= last) return [];
        state.lastTradeId[t.pair] = t.trade_id;
      }
      return stepCandles(state.candles, t);
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
      // Built from the state on each candle (candles are rare), so a rolled-back state is never
      // shadowed by a cached indicator object.
      const set = new IndicatorSet(state.indicators[key]);
      state.indicators[key] = set.state;
      return [set.add(c)];
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
