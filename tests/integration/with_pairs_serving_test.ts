/**
 * A model trained with other pairs' columns reads the same inputs wherever it runs: the training
 * set, the streaming prediction of a closed candle and `/predict` on that candle agree, number for
 * number, though the other pair's candle of the same window has not closed when they run.
 */
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { syntheticRows } from "../model_fixtures.ts";
import { type FeatureRowWithNews, OTHER_PAIR_COLUMNS } from "../../src/domain/feature_row.ts";
import { cardOtherPairs } from "../../src/domain/model_card.ts";
import { buildDataset } from "../../src/model/dataset.ts";
import { checkLeakage, LeakageError } from "../../src/model/evaluate.ts";
import { featureNames, featureVector } from "../../src/model/features.ts";
import { OnnxPredictor } from "../../src/registry/predictor.ts";
import { Registry } from "../../src/registry/registry.ts";
import { trainAndRegister } from "../../src/registry/train_and_register.ts";
import { trainSeries } from "../../src/registry/train_series.ts";
import { createApp } from "../../src/serve/app.ts";
import { LivePredictions } from "../../src/serve/live_predictions.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { KvFeatureStore } from "../../src/stores/online_kv.ts";
import { KvPredictionStore } from "../../src/stores/prediction_store.ts";

type Input = FeatureRowWithNews & { others?: Record<string, number | null> };

Deno.test("a --with-pairs model gets the same input vector and value from training, streaming and /predict", async () => {
  const dir = await Deno.makeTempDir();
  const btc = syntheticRows(1200, { pair: "BTC/USD", seed: 1 });
  const eth = syntheticRows(1200, { pair: "ETH/USD", seed: 2 });
  const registry = new Registry(`${dir}/models`);
  const offline = await DuckDbFeatureStore.open(`${dir}/offline.duckdb`);
  const online = await KvFeatureStore.open(`${dir}/online.kv`);
  const predictions = new KvPredictionStore(online.kv);
  const predictor = new OnnxPredictor(registry, "BTC/USD", "1m", 1);
  try {
    await offline.upsert([...btc, ...eth]);
    const ds = await buildDataset(offline, {
      pair: "BTC/USD",
      window: "1m",
      horizon: 1,
      otherPairs: ["ETH/USD"],
    });
    const report = await trainAndRegister(ds, {
      choice: "ridge",
      folds: 3,
      budget: 2,
      seed: 1,
      otherPairs: ["ETH/USD"],
      registry,
    });
    assert(report.promoted, report.reason);
    assertEquals(await predictor.refresh(), "swapped");
    assertEquals(predictor.current!.card.other_pairs_lag, 1);
    const others = predictor.current!.others;
    assertEquals(ds.features, featureNames(others));

    // The candle both paths predict: the last one whose target the training set knows.
    const at = btc.length - 2;
    const row = btc[at]!;
    await online.upsert([...btc.slice(0, at), ...eth.slice(0, at)]);
    const seen: Input[] = [];
    // Streaming and /predict both run the model through predictModel.
    const predictModel = predictor.predictModel.bind(predictor);
    predictor.predictModel = (input: Input) => {
      seen.push(input);
      return predictModel(input);
    };

    // Live, BTC/USD's candle closes on its own next trade, before ETH/USD's of the same window
    // has closed: the model reads ETH/USD's candle before, which has.
    const live = new LivePredictions([predictor], online, predictions);
    await online.upsert([row]);
    await live.onRows([row]);
    assertEquals([live.made, live.failures], [1, 0]);
    const streamed = (await predictions.recent("BTC/USD", "1m", 1))[0]!;
    assertEquals(streamed.made_at, row.window_end);

    const app = createApp({ online, predictions, registry, predictors: [predictor], maxFeatureAgeS: 0 });
    const res = await app.request("http://localhost/predict?pair=BTC/USD");
    const body = await res.json();
    assertEquals([res.status, body.as_of], [200, new Date(row.window_end).toISOString()]);
    const { models } = await (await app.request("http://localhost/models")).json();
    assertEquals(models[0].versions[0].other_pairs, { pairs: ["ETH/USD"], lag: 1 });
    assertEquals(seen.length, 2);

    const i = Array.from(ds.time).indexOf(row.window_start);
    assert(i >= 0, "the row is in the training set");
    const F = ds.features.length;
    const trained = Array.from(ds.X.subarray(i * F, (i + 1) * F));
    const [streaming, served] = seen.map((input) => Array.from(featureVector(input, others)));
    const otherInputs = trained.slice(F - others.length);
    assert(otherInputs.some((v) => v !== 0), `ETH/USD columns in training: ${otherInputs}`);
    const before = eth[at - 1]!;
    assertEquals(before.window_start, row.window_start - 60_000);
    assertEquals(otherInputs, OTHER_PAIR_COLUMNS.map((c) => before[c] ?? 0), "ETH/USD's candle before");
    assertEquals(streaming, trained, "streaming reads what training read");
    assertEquals(served, trained, "/predict reads what training read");
    assertEquals(body.predicted_close, streamed.predicted_close);
  } finally {
    await predictor.close();
    online.close();
    offline.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a card from before the lag reads the other pairs' same window, as it was trained; a new one the window before", async () => {
  const btc = syntheticRows(40, { pair: "BTC/USD", seed: 1 });
  const eth = syntheticRows(40, { pair: "ETH/USD", seed: 2 });
  const online = await KvFeatureStore.open(":memory:");
  try {
    await online.upsert([...btc, ...eth]);
    const at = btc[30]!.window_start;
    const read = async (card: Parameters<typeof cardOtherPairs>[0]) =>
      (await online.modelRow("BTC/USD", "1m", cardOtherPairs(card), at))!.others["ETH/USD:log_return_1"];
    assertEquals(await read({ other_pairs: ["ETH/USD"] }), eth[30]!.log_return_1);
    assertEquals(await read({ other_pairs: ["ETH/USD"], other_pairs_lag: 1 }), eth[29]!.log_return_1);
    assert(eth[30]!.log_return_1 !== eth[29]!.log_return_1);
  } finally {
    online.close();
  }
});

Deno.test("a retraining of a --with-pairs series (the model loop's, in a Worker) reads the other pairs' columns as train does", async () => {
  const dir = await Deno.makeTempDir();
  const offline = await DuckDbFeatureStore.open(`${dir}/offline.duckdb`);
  const registry = new Registry(`${dir}/models`);
  try {
    const eth = syntheticRows(900, { pair: "ETH/USD", seed: 2 });
    await offline.upsert([...syntheticRows(900, { pair: "BTC/USD", seed: 1 }), ...eth]);
    const report = await trainSeries(offline, {
      pair: "BTC/USD",
      window: "1m",
      horizon: 1,
      otherPairs: ["ETH/USD"],
    }, {
      // A ridge export is a few KB: a Node Buffer cut from Buffer's shared pool, which the Worker
      // must copy before it can hand it over.
      choice: "ridge",
      folds: 3,
      budget: 2,
      seed: 1,
      registry,
      promote: false,
    });
    const card = await registry.card(report.name, report.version);
    assertEquals([card.other_pairs, card.other_pairs_lag], [["ETH/USD"], 1]);
    assertEquals(
      card.features.slice(-OTHER_PAIR_COLUMNS.length),
      OTHER_PAIR_COLUMNS.map((c) => `ETH/USD:${c}`),
    );
    // The Worker's dataset is the one `train` builds from the store.
    const ds = await buildDataset(offline, {
      pair: "BTC/USD",
      window: "1m",
      horizon: 1,
      otherPairs: ["ETH/USD"],
    });
    assertEquals(card.data.hash, ds.hash);
  } finally {
    offline.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a planted look-ahead in the other pairs' columns is caught: the same-window join of a leading pair leaks, the lagged one does not", async () => {
  const dir = await Deno.makeTempDir();
  const offline = await DuckDbFeatureStore.open(`${dir}/offline.duckdb`);
  try {
    const btc = syntheticRows(900, { pair: "BTC/USD", seed: 1 });
    // A pair whose 1-candle return is BTC/USD's next one: read at the same window, it is the target.
    const leading = btc.map((r, i) => ({
      ...r,
      pair: "ETH/USD",
      log_return_1: i + 1 < btc.length ? Math.log(btc[i + 1]!.close / r.close) : 0,
    }));
    await offline.upsert([...btc, ...leading]);
    const options = { pair: "BTC/USD", window: "1m" as const, horizon: 1, otherPairs: ["ETH/USD"] };
    const all = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);
    const lagged = await buildDataset(offline, options);
    checkLeakage(lagged, all(lagged.n));
    const sameWindow = await buildDataset(offline, { ...options, otherPairsLag: 0 });
    assertThrows(
      () => checkLeakage(sameWindow, all(sameWindow.n)),
      LeakageError,
      "feature ETH/USD:log_return_1",
    );
  } finally {
    offline.close();
    await Deno.remove(dir, { recursive: true });
  }
});
