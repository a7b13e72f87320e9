/**
 * Training sets read a chunk at a time, from the offline store or from the file a retraining Worker
 * reads: the same rows, in the same order, and the same dataset to the last bit as the rows read whole.
 */
import { assert, assertEquals } from "../assert.ts";
import { otherPairs, type TrainingRow } from "../../src/domain/feature_row.ts";
import { buildDataset, datasetFromChunks, datasetFromRows } from "../../src/model/dataset.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { trainingRowChunksFromFile } from "../../src/stores/training_rows_file.ts";
import { syntheticRows } from "../model_fixtures.ts";

type Options = { pair: string; window: "1m"; horizon: number; otherPairs: string[] };

/**
 * A store of `n` rows of BTC/USD and of ETH/USD; `check` runs for BTC/USD 1m at horizon 5, without
 * and with ETH/USD's columns (`--with-pairs`).
 */
async function withTwoPairs(
  n: number,
  check: (store: DuckDbFeatureStore, dir: string, options: Options) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const store = await DuckDbFeatureStore.open(`${dir}/offline.duckdb`);
  try {
    await store.upsert(syntheticRows(n, { seed: 3 }));
    await store.upsert(syntheticRows(n, { seed: 4, pair: "ETH/USD" }));
    for (const otherPairs of [[], ["ETH/USD"]]) {
      await check(store, dir, { pair: "BTC/USD", window: "1m", horizon: 5, otherPairs });
    }
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a training set built chunk by chunk from the offline store equals the one built from its rows whole", async () => {
  await withTwoPairs(5000, async (store, _dir, options) => {
    const others = otherPairs(options.otherPairs);
    const whole = await store.trainingRows("BTC/USD", "1m", 5 * 60_000, others);
    const chunks: TrainingRow[][] = [];
    for await (const chunk of store.trainingRowChunks("BTC/USD", "1m", 5 * 60_000, others)) {
      chunks.push(chunk);
    }
    assert(chunks.length > 1, `${chunks.length} chunk(s)`);
    assertEquals(chunks.flat(), whole);
    const chunked = await buildDataset(store, options);
    const read = await datasetFromRows(whole, options);
    assertEquals(chunked, read);
    assert(read.n > 4000 && read.hash.length === 64, `${read.n} rows`);
  });
});

Deno.test("a retraining Worker's training-rows file read a chunk at a time gives the rows, and the dataset, read whole", async () => {
  await withTwoPairs(3000, async (store, dir, options) => {
    const others = options.otherPairs;
    const file = `${dir}/rows_${others.length}.csv`;
    await store.exportTrainingRows!(file, "BTC/USD", "1m", 5 * 60_000, otherPairs(others), 0);
    // The file holds the training join's rows exactly: DuckDB writes doubles that read back the same.
    const whole = await store.trainingRows("BTC/USD", "1m", 5 * 60_000, otherPairs(others));
    const chunks: TrainingRow[][] = [];
    for await (const chunk of trainingRowChunksFromFile(file, others, 700)) chunks.push(chunk);
    assert(whole.length > 2100, `${whole.length} rows`);
    const full = Math.floor(whole.length / 700), rest = whole.length - 700 * full;
    assertEquals(chunks.map((c) => c.length), [...Array(full).fill(700), ...(rest ? [rest] : [])]);
    assertEquals(chunks.flat(), whole);
    const chunked = await datasetFromChunks(trainingRowChunksFromFile(file, others), options);
    assertEquals(chunked, await buildDataset(store, options));
  });
});
