import { assertEquals } from "../assert.ts";
import type { Window } from "../../src/domain/candle.ts";
import type { BusMessage } from "../../src/bus/codec.ts";
import type { BusProducer } from "../../src/bus/producer.ts";
import { candlesStage, featuresStage } from "../../src/bus/stages.ts";
import { topicNames } from "../../src/bus/topics.ts";
import { candles, dedupe, indicators } from "../../src/stages/mod.ts";
import { initialCandleState } from "../../src/transforms/candles.ts";
import { bar, batchOf, trade } from "./stages/stage_helpers.ts";

const options = { windows: ["1m", "5m"] as Window[], graceMs: 0 };
const unused = {} as BusProducer;
// A trade every 20 seconds for twelve minutes on two pairs, every fifth one delivered twice.
const trades = Array.from({ length: 36 }, (_, i) => [
  trade("BTC/USD", i * 20, 100 + Math.sin(i), i),
  trade("ETH/USD", i * 20, 10 + Math.cos(i), i),
]).flat().flatMap((t, i) => i % 5 === 0 ? [t, t] : [t]);
const ends = ["BTC/USD", "ETH/USD"].map((pair): BusMessage => ({ type: "end", data: { pair } }));

async function embedded() {
  const batches = await Array.fromAsync(
    ReadableStream.from([batchOf(structuredClone(trades))]).pipeThrough(dedupe())
      .pipeThrough(candles(initialCandleState(options))).pipeThrough(indicators()),
  );
  return batches.flatMap((b) => b.rows);
}

Deno.test("the Kafka stages turn trades into the feature rows the embedded stages make", async () => {
  const candleStage = candlesStage(topicNames(), "", options, unused);
  const candleState = candleStage.initial();
  const messages = [...trades.map((t): BusMessage => ({ type: "trade", data: t })), ...ends];
  const closed = messages.flatMap((m) => candleStage.step(candleState, structuredClone(m)));
  const featureStage = featuresStage(topicNames(), "", { upsert: () => Promise.resolve() }, unused);
  const featureState = featureStage.initial();
  const rows = closed.flatMap((c) => featureStage.step(featureState, { type: "candle", data: c }));
  const byKey = (r: { pair: string; window: string; window_start: number }) =>
    `${r.pair}|${r.window}|${r.window_start}`;
  const expected = await embedded();
  assertEquals(rows.length, expected.length);
  assertEquals(
    rows.toSorted((a, b) => byKey(a).localeCompare(byKey(b))),
    expected.toSorted((a, b) => byKey(a).localeCompare(byKey(b))),
  );
});

Deno.test("the Kafka features stage drops a candle its series has already had", () => {
  const stage = featuresStage(topicNames(), "", { upsert: () => Promise.resolve() }, unused);
  const state = stage.initial();
  const step = (minute: number) => stage.step(state, { type: "candle", data: bar("BTC/USD", minute, 100) });
  assertEquals([step(0).length, step(1).length, step(1).length, step(0).length, step(2).length], [
    1,
    1,
    0,
    0,
    1,
  ]);
});
