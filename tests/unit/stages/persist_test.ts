import { assertEquals } from "../../assert.ts";
import type { FeatureRow } from "../../../src/domain/feature_row.ts";
import type { Trade } from "../../../src/domain/trade.ts";
import { persist, type PersistOptions } from "../../../src/stages/persist.ts";
import type { Batch, Forecast } from "../../../src/stages/batch.ts";
import type { TradeCheckpoint } from "../../../src/stores/checkpoint_file.ts";
import { initialCandleState } from "../../../src/transforms/candles.ts";
import { IndicatorSet } from "../../../src/transforms/indicators.ts";
import { bar, batchOf, T0, trade } from "./stage_helpers.ts";

const row = new IndicatorSet().add(bar("BTC/USD", 0, 100));
const forecast: Forecast = {
  realises: { pair: "BTC/USD", window: "1m", made_at: T0, close: 100 },
  prediction: null,
};
const clock = { now: () => T0 };

/** A persist sink over fakes that log each write, and the checkpoints it saved (copied). */
function logged(more: Partial<PersistOptions> = {}) {
  const log: string[] = [];
  const saved: TradeCheckpoint[] = [];
  let bytes = 0;
  const sink = persist({
    recorder: {
      path: "/tmp/record.jsonl",
      get bytes() {
        return bytes;
      },
      write: (
        t: readonly Trade[],
      ) => (log.push(`record ${t.length}`), bytes += 10 * t.length, Promise.resolve()),
    },
    publish: {
      trades: (t) => (log.push(`publish ${t.length}`), Promise.resolve()),
      end: (pairs) => (log.push(`end ${pairs}`), Promise.resolve()),
    },
    stores: { upsert: (r: readonly FeatureRow[]) => (log.push(`rows ${r.length}`), Promise.resolve()) },
    predictions: { write: (f) => (log.push(`predictions ${f.length}`), Promise.resolve()) },
    checkpoint: { save: (s) => (log.push("checkpoint"), saved.push(structuredClone(s)), Promise.resolve()) },
    clock,
    ...more,
  });
  return { sink, log, saved };
}

const write = (sink: WritableStream<Batch>, batches: Batch[]) => ReadableStream.from(batches).pipeTo(sink);

Deno.test("persist() writes record, publish, rows, predictions, then the checkpoint, and ends the publish hook", async () => {
  const { sink, log } = logged();
  await write(sink, [batchOf([trade("BTC/USD", 1, 100, 7)], { rows: [row], forecasts: [forecast] })]);
  assertEquals(log, ["record 1", "publish 1", "rows 1", "predictions 1", "checkpoint", "end BTC/USD"]);
});

Deno.test("persist() saves the trade cursor, the record's length and the stage state of the batch", async () => {
  const { sink, saved } = logged();
  const candles = initialCandleState({ windows: ["1m"] });
  const batch = batchOf([trade("BTC/USD", 1, 100, 7), trade("BTC/USD", 2, 101)], {
    state: { candles, indicators: {} },
  });
  await write(sink, [batch]);
  assertEquals(saved[0], {
    version: 1,
    job: "",
    pairs: { "BTC/USD": { ts: T0 + 2000, trade_id: 7, trades: 2 } },
    record: { path: "/tmp/record.jsonl", bytes: 20 },
    features: { version: 1, candles, indicators: {} },
    updated_at: new Date(T0).toISOString(),
  });
});

Deno.test("persist() continues the counts of the checkpoint it is given", async () => {
  const state: TradeCheckpoint = {
    version: 1,
    job: "ingest",
    pairs: { "BTC/USD": { ts: T0, trade_id: 6, trades: 40 } },
    updated_at: "",
  };
  const { sink } = logged({ state });
  await write(sink, [batchOf([trade("BTC/USD", 1, 100, 7)])]);
  assertEquals(state.pairs["BTC/USD"], { ts: T0 + 1000, trade_id: 7, trades: 41 });
});

Deno.test("persist() counts a candle file's candles in the cursor", async () => {
  const { sink, saved } = logged();
  await write(sink, [batchOf([], { bars: [bar("BTC/USD", 0, 1), bar("BTC/USD", 1, 2)] })]);
  assertEquals(saved[0]?.pairs, { "BTC/USD": { ts: T0 + 60_000, trade_id: null, trades: 2 } });
});

Deno.test("persist() skips a batch with nothing to write", async () => {
  const { sink, log } = logged({ publish: undefined });
  await write(sink, [batchOf([], { tick: T0 })]);
  assertEquals(log, []);
});

Deno.test("persist() calls onFlush with each batch written and the checkpoint as saved", async () => {
  const seen: [number, number][] = [];
  const { sink } = logged({ onFlush: (b, s) => seen.push([b.trades.length, s.pairs["BTC/USD"]!.trades]) });
  await write(sink, [batchOf([trade("BTC/USD", 1, 100)]), batchOf([trade("BTC/USD", 2, 100)])]);
  assertEquals(seen, [[1, 1], [1, 2]]);
});

Deno.test("persist() saves no checkpoint after a batch whose rows could not be written", async () => {
  const failing = { upsert: () => Promise.reject(new Error("disk full")) };
  const { sink, log } = logged({ stores: failing });
  let got: unknown;
  await write(sink, [batchOf([trade("BTC/USD", 1, 100)], { rows: [row] })]).catch((e) => got = e);
  assertEquals((got as Error).message, "disk full");
  assertEquals(log, ["record 1", "publish 1"]);
});

Deno.test("persist() stops at a source error: nothing after it is written and the input is not ended", async () => {
  const { sink, log } = logged();
  const boom = new Error("the source failed");
  const source = new ReadableStream<Batch>({
    start(c) {
      c.enqueue(batchOf([trade("BTC/USD", 1, 100)]));
      c.error(boom);
    },
  });
  let got: unknown;
  await source.pipeTo(sink).catch((e) => got = e);
  assertEquals(got, boom);
  assertEquals(log.includes("end BTC/USD"), false);
});
