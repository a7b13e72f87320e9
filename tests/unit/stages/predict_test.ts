import { assertEquals } from "../../assert.ts";
import type { FeatureRow } from "../../../src/domain/feature_row.ts";
import { predict, type RowForecaster, type UnsavedRows } from "../../../src/stages/predict.ts";
import type { Batch, Forecast } from "../../../src/stages/batch.ts";
import { LiveRows } from "../../../src/system/live_rows.ts";
import { IndicatorSet } from "../../../src/transforms/indicators.ts";
import { assertPassesCancellation, assertPassesErrors, bar, batchOf, T0, through } from "./stage_helpers.ts";

const MIN = 60_000;
const rowAt = (pair: string, minute: number): FeatureRow => new IndicatorSet().add(bar(pair, minute, 100));
const rows = (...r: FeatureRow[]): Batch => batchOf([], { rows: r });

/** Forecasts every row, naming it; `peer` says which other pair's row it reads. */
function forecaster(peer?: string): RowForecaster & { read: (FeatureRow | undefined)[] } {
  const read: (FeatureRow | undefined)[] = [];
  return {
    read,
    forecast(row: FeatureRow, unsaved: UnsavedRows): Promise<Forecast> {
      if (peer) read.push(unsaved.get(peer, row.window, row.window_start));
      return Promise.resolve({
        realises: { pair: row.pair, window: row.window, made_at: row.window_start, close: row.close },
        prediction: null,
      });
    },
  };
}

Deno.test("predict() adds a forecast for every row by default", async () => {
  const [batch] = await through(predict(forecaster()), [rows(rowAt("BTC/USD", 0), rowAt("BTC/USD", 1))]);
  assertEquals(batch?.forecasts.map((f) => f.realises.made_at), [T0, T0 + MIN]);
});

Deno.test("predict() forecasts only the rows its options include", async () => {
  const includes = (r: FeatureRow) => r.pair === "ETH/USD";
  const [batch] = await through(predict(forecaster(), { includes }), [
    rows(rowAt("BTC/USD", 0), rowAt("ETH/USD", 0)),
  ]);
  assertEquals(batch?.forecasts.map((f) => f.realises.pair), ["ETH/USD"]);
});

Deno.test("predict() skips rows its forecaster does not predict", async () => {
  const none: RowForecaster = { forecast: () => Promise.resolve(null) };
  const [batch] = await through(predict(none), [rows(rowAt("BTC/USD", 0))]);
  assertEquals(batch?.forecasts, []);
});

Deno.test("predict() with LiveRows predicts only rows that closed after the source turned live", async () => {
  let live = false;
  const liveRows = new LiveRows(() => live, () => T0 + 2 * MIN);
  const stage = predict(forecaster(), liveRows);
  const source = ReadableStream.from((function* () {
    yield rows(rowAt("BTC/USD", 0));
    live = true;
    yield rows(rowAt("BTC/USD", 1), rowAt("BTC/USD", 2));
  })());
  const batches = await Array.fromAsync(source.pipeThrough(stage));
  assertEquals(batches.flatMap((b) => b.forecasts.map((f) => f.realises.made_at)), [T0 + 2 * MIN]);
});

Deno.test("predict() lets the forecaster read another pair's row of the same batch before it is stored", async () => {
  const f = forecaster("ETH/USD");
  const eth = rowAt("ETH/USD", 0);
  await through(predict(f, { includes: (r) => r.pair === "BTC/USD" }), [rows(rowAt("BTC/USD", 0), eth)]);
  assertEquals(f.read, [eth]);
});

Deno.test("predict() keeps rows of earlier batches for other pairs' later rows", async () => {
  const f = forecaster("ETH/USD");
  const eth = rowAt("ETH/USD", 3);
  await through(predict(f, { includes: (r) => r.pair === "BTC/USD" }), [
    rows(eth),
    rows(rowAt("BTC/USD", 3)),
  ]);
  assertEquals(f.read, [eth]);
});

Deno.test("predict() keeps a bounded number of rows per series", async () => {
  const f = forecaster("ETH/USD");
  const includes = (r: FeatureRow) => r.pair === "BTC/USD";
  await through(predict(f, { includes, keep: 2 }), [
    rows(rowAt("ETH/USD", 0), rowAt("ETH/USD", 1), rowAt("ETH/USD", 2)),
    rows(rowAt("BTC/USD", 0)),
  ]);
  assertEquals(f.read, [undefined], "the oldest row went; the store has it by then");
});

Deno.test("predict() emits nothing at the end of its input", async () => {
  assertEquals(await through(predict(forecaster()), [] as Batch[]), []);
});

Deno.test("predict() fails the stream when its forecaster fails", async () => {
  const broken: RowForecaster = { forecast: () => Promise.reject(new Error("no model")) };
  let got: unknown;
  await through(predict(broken), [rows(rowAt("BTC/USD", 0))]).catch((e) => got = e);
  assertEquals((got as Error).message, "no model");
});

Deno.test("predict() passes a source error through", async () => {
  await assertPassesErrors(predict(forecaster()), rows(rowAt("BTC/USD", 0)));
});

Deno.test("predict() passes cancellation to its source", async () => {
  await assertPassesCancellation(predict(forecaster()), rows());
});
