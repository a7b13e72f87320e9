/**
 * The predict stage over the real prediction adapter and Deno KV: a row predicted before it is
 * stored reads the same model input as after, and the predictions land in the store after the rows.
 */
import { assertEquals } from "../assert.ts";
import { syntheticRows } from "../model_fixtures.ts";
import type { FeatureRow } from "../../src/domain/feature_row.ts";
import type { ModelCard } from "../../src/domain/model_card.ts";
import type { Predictor } from "../../src/domain/ports.ts";
import type { Prediction } from "../../src/domain/prediction.ts";
import { LivePredictions } from "../../src/serve/live_predictions.ts";
import { emptyBatch } from "../../src/stages/batch.ts";
import { persist, predict } from "../../src/stages/mod.ts";
import { KvFeatureStore } from "../../src/stores/online_kv.ts";
import { KvPredictionStore } from "../../src/stores/prediction_store.ts";

/** A model reading ETH/USD's columns beside BTC/USD's, predicting the close plus one; it keeps what it read. */
function fakePredictor(): Predictor & { inputs: unknown[] } {
  const inputs: unknown[] = [];
  const card = { other_pairs: ["ETH/USD"] } as unknown as ModelCard;
  return {
    inputs,
    name: "btc-usd_1m_h1",
    pair: "BTC/USD",
    window: "1m",
    horizon: 1,
    current: { name: "btc-usd_1m_h1", version: "v0001", card, others: ["ETH/USD:close"] },
    lastError: null,
    predict(row) {
      inputs.push(row);
      return Promise.resolve({
        log_return: 0,
        predicted_close: row.close + 1,
        model: { name: "btc-usd_1m_h1", version: "v0001" },
        interval_80: null,
        interval_95: null,
        interval_scale: null,
      });
    },
  };
}

const btc = syntheticRows(30, { pair: "BTC/USD", seed: 1 });
const eth = syntheticRows(30, { pair: "ETH/USD", seed: 2 });

Deno.test("a row predicted on its way to the store reads the model input it reads once stored", async () => {
  const online = await KvFeatureStore.open(":memory:");
  try {
    const predictor = fakePredictor();
    const live = new LivePredictions([predictor], online, new KvPredictionStore(online.kv));
    const pending = new Map<string, FeatureRow>(
      [btc[29]!, eth[29]!].map((r) => [`${r.pair}|${r.window_start}`, r]),
    );
    await online.upsert([...btc.slice(0, 29), ...eth.slice(0, 29)]);
    const before = await live.forecast(btc[29]!, {
      get: (pair, _w, start) => pending.get(`${pair}|${start}`),
    });
    await online.upsert([btc[29]!, eth[29]!]);
    const after = await live.forecast(btc[29]!);
    assertEquals(predictor.inputs[0], predictor.inputs[1]);
    assertEquals(before, after);
  } finally {
    online.close();
  }
});

Deno.test("predict() then persist() store the rows, then the predictions made at them and the closes they realise", async () => {
  const online = await KvFeatureStore.open(":memory:");
  try {
    const predictions = new KvPredictionStore(online.kv);
    const live = new LivePredictions([fakePredictor()], online, predictions);
    const batches = [0, 1, 2].map((i) => ({ ...emptyBatch(), rows: [btc[i]!, eth[i]!] }));
    await ReadableStream.from(batches).pipeThrough(predict(live)).pipeTo(
      persist({ stores: online, predictions: live }),
    );
    const made = (await predictions.recent("BTC/USD", "1m", 10)).reverse();
    assertEquals(made.map((p) => [p.made_at, p.predicted_close, p.realised_close]), [
      [btc[0]!.window_end, btc[0]!.close + 1, btc[1]!.close],
      [btc[1]!.window_end, btc[1]!.close + 1, btc[2]!.close],
      [btc[2]!.window_end, btc[2]!.close + 1, null],
    ]);
    assertEquals([live.made, live.realised, live.failures], [3, 2, 0]);
  } finally {
    online.close();
  }
});

Deno.test("a replayed prediction stored online but not in the history (a crash between) reaches the history as stored", async () => {
  const online = await KvFeatureStore.open(":memory:");
  try {
    const predictions = new KvPredictionStore(online.kv);
    const history: Prediction[] = [];
    const sink = {
      putPrediction: (p: Prediction) => Promise.resolve(void history.push(p)),
      realisePrediction: () => Promise.resolve(),
    };
    const live = new LivePredictions([fakePredictor()], online, predictions, sink);
    await online.upsert([...btc.slice(0, 29), ...eth.slice(0, 29), btc[29]!, eth[29]!]);
    const forecast = (await live.forecast(btc[29]!))!;
    // The first run stored it online, then stopped before the history write.
    await predictions.put(forecast.prediction!);
    const replayed = { ...forecast, prediction: { ...forecast.prediction!, predicted_close: 1 } };
    await live.write([replayed]);
    assertEquals(live.made, 0, "nothing new was made");
    assertEquals(history, [forecast.prediction], "the history has the stored prediction, not the replay's");
  } finally {
    online.close();
  }
});
