import { assert, assertEquals } from "../assert.ts";
import type { Window } from "../../src/domain/candle.ts";
import type { FeatureRow } from "../../src/domain/feature_row.ts";
import type { StageSpec } from "../../src/bus/consumer_stage.ts";
import type { BusProducer } from "../../src/bus/producer.ts";
import { candlesStage, featuresStage } from "../../src/bus/stages.ts";
import { topicNames } from "../../src/bus/topics.ts";
import type { Batch } from "../../src/stages/batch.ts";
import { candles, dedupe, indicators } from "../../src/stages/mod.ts";
import { initialCandleState } from "../../src/transforms/candles.ts";
import { bar, batchOf, trade } from "./stages/stage_helpers.ts";

const options = { windows: ["1m", "5m"] as Window[], graceMs: 0 };
// A trade every 20 seconds for twelve minutes on two pairs, every fifth one delivered twice.
const trades = Array.from({ length: 36 }, (_, i) => [
  trade("BTC/USD", i * 20, 100 + Math.sin(i), i),
  trade("ETH/USD", i * 20, 10 + Math.cos(i), i),
]).flat().flatMap((t, i) => i % 5 === 0 ? [t, t] : [t]);

async function embedded() {
  const batches = await Array.fromAsync(
    ReadableStream.from([batchOf(structuredClone(trades))]).pipeThrough(dedupe())
      .pipeThrough(candles(initialCandleState(options))).pipeThrough(indicators()),
  );
  return batches.flatMap((b) => b.rows);
}

/** Runs a stage's partition pipeline over `slices`; returns each batch as saved, with its state. */
async function run<S>(stage: StageSpec<S>, slices: Batch[], state = stage.initial()) {
  const saved: { batch: Batch; state: S }[] = [];
  await stage.pipeline(ReadableStream.from(slices), state, (batch, s) => {
    saved.push({ batch, state: structuredClone(s) });
    return Promise.resolve();
  });
  return saved;
}

const noStores = { upsert: () => Promise.resolve() };

/** A candles stage batch as the features stage reads it back from the candles topic: the candles and `end`s, numbered. */
const onCandles = (b: Batch) =>
  batchOf([], {
    candles: structuredClone(b.candles),
    ends: b.ends,
    candleSeries: b.candleSeries,
    endSeries: b.endSeries,
  });
// The sinks send nothing here: the slices carry no candles or rows until the stages make them.
const quiet = { send: () => Promise.resolve() } as unknown as BusProducer;

Deno.test("the Kafka stages turn trades into the feature rows the embedded stages make", async () => {
  // Slices as the consumer cuts them: each `end` message closes one.
  const slices = [
    batchOf(structuredClone(trades.slice(0, 30))),
    batchOf(structuredClone(trades.slice(30)), { ends: ["BTC/USD"] }),
    batchOf([], { ends: ["ETH/USD"] }),
  ];
  const closed = (await run(candlesStage(topicNames(), "", options, quiet), slices))
    .flatMap((s) => s.batch.candles);
  const rows = (await run(
    featuresStage(topicNames(), "", noStores, quiet),
    [batchOf([], { candles: closed.slice(0, 40) }), batchOf([], { candles: closed.slice(40) })],
  )).flatMap((s) => s.batch.rows);
  const byKey = (r: { pair: string; window: string; window_start: number }) =>
    `${r.pair}|${r.window}|${r.window_start}`;
  const expected = await embedded();
  assertEquals(rows.length, expected.length);
  assertEquals(
    rows.toSorted((a, b) => byKey(a).localeCompare(byKey(b))),
    expected.toSorted((a, b) => byKey(a).localeCompare(byKey(b))),
  );
});

Deno.test("the Kafka features stage drops a candle its series has already had", async () => {
  const minutes = [[0], [1, 1], [0, 2]];
  const saved = await run(
    featuresStage(topicNames(), "", noStores, quiet),
    minutes.map((ms) => batchOf([], { candles: ms.map((m) => bar("BTC/USD", m, 100)) })),
  );
  assertEquals(saved.map((s) => s.batch.rows.length), [1, 1, 1]);
  assertEquals(saved.at(-1)?.state.lastStart, { "BTC/USD|1m": bar("BTC/USD", 2, 100).window_start });
});

Deno.test("a Kafka stage restored from a batch's saved state goes on as if it had never stopped", async () => {
  const stage = candlesStage(topicNames(), "", options, quiet);
  const first = batchOf(structuredClone(trades.slice(0, 40)));
  const rest = () => batchOf(structuredClone(trades.slice(40)), { ends: ["BTC/USD", "ETH/USD"] });
  const whole = await run(stage, [first, rest()]);
  const resumed = await run(stage, [rest()], structuredClone(whole[0]!.state));
  assertEquals(resumed[0]!.batch.candles, whole[1]!.batch.candles);
  assertEquals(resumed[0]!.state, whole[1]!.state);
});

Deno.test("two bounded inputs one after another through the Kafka stages make the rows of two embedded runs", async () => {
  // Another file of the same pairs a day later, its trade ids numbered afresh.
  const later = trades.map((t) => ({ ...t, ts: t.ts + 86_400_000 }));
  const runOf = async (input: typeof trades) => {
    const batches = await Array.fromAsync(
      ReadableStream.from([batchOf(structuredClone(input))]).pipeThrough(dedupe())
        .pipeThrough(candles(initialCandleState(options))).pipeThrough(indicators()),
    );
    return batches.flatMap((b) => b.rows);
  };
  const expected = [...await runOf(trades), ...await runOf(later)];
  const ended = (input: typeof trades) => [
    batchOf(structuredClone(input), { ends: ["BTC/USD"] }),
    batchOf([], { ends: ["ETH/USD"] }),
  ];
  const closed = await run(candlesStage(topicNames(), "", options, quiet), [
    ...ended(trades),
    ...ended(later),
  ]);
  // The features stage reads each batch's candles, then the `end` messages published after them.
  const rows =
    (await run(featuresStage(topicNames(), "", noStores, quiet), closed.map((s) => onCandles(s.batch))))
      .flatMap((s) => s.batch.rows);
  const byKey = (r: { pair: string; window: string; window_start: number }) =>
    `${r.pair}|${r.window}|${r.window_start}`;
  assertEquals(
    rows.toSorted((a, b) => byKey(a).localeCompare(byKey(b))),
    expected.toSorted((a, b) => byKey(a).localeCompare(byKey(b))),
  );
});

Deno.test("a candles slice the bus delivers again after its end neither restarts the series nor rewrites its rows", async () => {
  const candles = candlesStage(topicNames(), "", options, quiet);
  const head = () => batchOf(structuredClone(trades.slice(0, 40)));
  const tail = () => batchOf(structuredClone(trades.slice(40)), { ends: ["BTC/USD", "ETH/USD"] });
  const out = await run(candles, [head(), tail()]);
  // The candles stage stopped after publishing the tail's candles and ends, before its checkpoint:
  // restarted from the head's state, it publishes them again, numbered the same.
  const again = await run(candles, [tail()], structuredClone(out[0]!.state));
  assertEquals(again[0]!.batch.candleSeries, out[1]!.batch.candleSeries);
  assertEquals(again[0]!.batch.endSeries, out[1]!.batch.endSeries);
  const written: FeatureRow[] = [];
  const stores = { upsert: (rows: readonly FeatureRow[]) => (written.push(...rows), Promise.resolve()) };
  const saved = await run(featuresStage(topicNames(), "", stores, quiet), [
    onCandles(out[0]!.batch),
    onCandles(out[1]!.batch),
    onCandles(again[0]!.batch),
  ]);
  assertEquals(saved[2]!.batch.rows, [], "the repeated candles make no rows");
  assertEquals(saved[2]!.batch.ends, [], "the repeated ends start nothing");
  assertEquals(saved[2]!.state.indicators, saved[1]!.state.indicators);
  assertEquals(written.length, saved[0]!.batch.rows.length + saved[1]!.batch.rows.length);
  // A later input of the same pairs still starts a new series.
  const later = trades.map((t) => ({ ...t, ts: t.ts + 86_400_000 }));
  const next = await run(
    candles,
    [batchOf(structuredClone(later), { ends: ["BTC/USD", "ETH/USD"] })],
    out[1]!.state,
  );
  const resumed = await run(
    featuresStage(topicNames(), "", noStores, quiet),
    [onCandles(next[0]!.batch)],
    structuredClone(saved[2]!.state),
  );
  assert(
    resumed[0]!.batch.rows.length > 0 &&
      resumed[0]!.batch.rows.every((r) => r.window_start >= later[0]!.ts - 60_000),
  );
});
