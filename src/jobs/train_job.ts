/**
 * `train` for one series: the dataset from the offline store, then the walk-forward search,
 * evaluation, export and registration of src/registry/train_and_register.ts, with its steps in
 * the log and the search as a progress bar.
 */
import { offlineStore, type TrainConfig } from "../config.ts";
import { buildDataset } from "../model/dataset.ts";
import { checkOtherPairs, checkSeries } from "./other_pairs_check.ts";
import { Registry } from "../registry/registry.ts";
import { trainAndRegister, type TrainReport } from "../registry/train_and_register.ts";
import { DuckDbFeatureStore } from "../stores/offline_duckdb.ts";
import type { Logger } from "../util/log.ts";
import { searchProgress } from "./search_progress.ts";

/** Reads the store of `cfg.dataDir` (read-only, closed before it resolves) and registers a version. */
export async function trainFromStore(cfg: TrainConfig, log: Logger): Promise<TrainReport> {
  const store = await DuckDbFeatureStore.open(await offlineStore(cfg.dataDir, "ingest or backfill"), {
    readOnly: true,
  });
  try {
    await checkSeries(store, cfg.pair, cfg.window);
    await checkOtherPairs(store, cfg.window, cfg.withPairs);
    const ds = await buildDataset(store, {
      pair: cfg.pair,
      window: cfg.window,
      horizon: cfg.horizon,
      otherPairs: cfg.withPairs,
    });
    log.info(
      `${ds.n} ${cfg.pair} ${cfg.window} rows with a target ${cfg.horizon} candle(s) ahead, ${ds.features.length} features` +
        (ds.n ? ` (${new Date(ds.range.from).toISOString()} .. ${new Date(ds.range.to).toISOString()})` : ""),
    );
    const progress = searchProgress(log);
    const report = await trainAndRegister(ds, {
      choice: cfg.model,
      folds: cfg.folds,
      budget: cfg.budget,
      seed: cfg.seed,
      embargo: cfg.embargo,
      blend: cfg.blend,
      shrink: cfg.shrink,
      otherPairs: cfg.withPairs,
      registry: new Registry(cfg.modelsDir),
      onStep: progress.onStep,
      onTrial: progress.onTrial,
    });
    progress.done();
    return report;
  } finally {
    store.close();
  }
}
