/**
 * `backtest` for one series: the walk-forward out-of-sample predictions, as `train` computes them,
 * replayed by src/model/backtest.ts on the series' candles from the offline store (opened
 * read-only). With a version, its setting is walked forward on the folds it was evaluated on and
 * the result is stored beside its card; without one, `train`'s own search chooses the setting
 * (src/model/fit_run.ts) and the result is only printed.
 */
import { type BacktestConfig, offlineStore } from "../config.ts";
import { WINDOW_MS } from "../domain/candle.ts";
import { cardOtherPairs, type ModelCard, modelName } from "../domain/model_card.ts";
import type { Clock } from "../domain/ports.ts";
import { isoTime } from "../domain/time.ts";
import {
  backtest,
  type BacktestCandle,
  type BacktestReport,
  type FoldPredictions,
} from "../model/backtest.ts";
import { buildDataset, type Dataset, hashArrays } from "../model/dataset.ts";
import { type Evaluation, walkForward } from "../model/evaluate.ts";
import { fitRun } from "../model/fit_run.ts";
import { type Fold, walkForwardFolds } from "../model/folds.ts";
import { describe, type ModelConfig, settingOf } from "../model/models.ts";
import { checkModelName, checkModelVersion } from "./registry_flags.ts";
import { Registry } from "../registry/registry.ts";
import { DuckDbFeatureStore } from "../stores/offline_duckdb.ts";
import { systemClock } from "../util/clock.ts";
import type { Logger } from "../util/log.ts";
import { checkOtherPairs, checkSeries } from "./other_pairs_check.ts";
import { searchProgress } from "./search_progress.ts";

const DEFAULT_FOLDS = 5;

interface WalkedForward {
  config: ModelConfig;
  folds: Fold[];
  evaluation: Evaluation;
  /** With a version: whether the rows are those it was trained on (only then is the result its backtest). */
  sameRows?: boolean;
}

/** The dataset restricted to `names`, in that order (a version's inputs); an error names a missing one. */
function withFeatures(ds: Dataset, names: readonly string[]): Dataset {
  const idx = names.map((n) => ds.features.indexOf(n));
  const missing = names.filter((_, k) => idx[k]! < 0);
  if (missing.length) {
    throw new Error(`the offline store lacks inputs of this version: ${missing.slice(0, 5).join(", ")}`);
  }
  const F = ds.features.length, G = names.length;
  const X = new Float64Array(ds.n * G);
  for (let i = 0; i < ds.n; i++) for (let g = 0; g < G; g++) X[i * G + g] = ds.X[i * F + idx[g]!]!;
  return { ...ds, features: [...names], X };
}

/**
 * The embargo a card's folds were cut with: the least gap, in candles, between a fold's last
 * training row and its first test row (exact when the series has no gap there).
 */
function cardEmbargo(card: ModelCard): number {
  const W = WINDOW_MS[card.window];
  const gaps = card.folds.map((f) => Math.floor((f.test.from - f.train.to) / W));
  return Math.max(card.horizon, gaps.length ? Math.min(...gaps) : card.horizon);
}

/** The version's setting, walked forward on the folds it was evaluated on. */
async function versionWalk(
  ds: Dataset,
  card: ModelCard,
  cfg: BacktestConfig,
  log: Logger,
): Promise<WalkedForward> {
  const inputs = withFeatures(ds, card.features);
  const sameRows = await hashArrays(inputs.X, inputs.y, inputs.time) === card.data.hash;
  if (!sameRows) {
    log.warn(
      `the offline store's rows differ from those ${card.version} was trained on (${card.data.rows} rows to ` +
        `${card.data.to}): the folds are cut from the rows there are now`,
    );
  }
  const config = settingOf(card.model);
  const embargo = Math.max(ds.horizon, cfg.embargo ?? cardEmbargo(card));
  const folds = walkForwardFolds(ds.time, {
    folds: cfg.folds ?? (card.folds.length || DEFAULT_FOLDS),
    embargoMs: embargo * WINDOW_MS[ds.window],
  });
  const perFold = card.folds.map((f) => f.setting);
  let settings: ModelConfig | ModelConfig[] = config;
  if (perFold.length === folds.length && perFold.every((s) => s !== undefined)) {
    settings = perFold as ModelConfig[];
    log.info(
      `walking ${card.version} forward over ${folds.length} folds, each with the setting it was tested with`,
    );
  } else {
    log.warn(
      `${card.version}'s card has no setting per fold for ${folds.length} folds: every fold is walked with ` +
        `its final setting, chosen on rows that include earlier folds' test rows, so the figures lean optimistic`,
    );
    log.info(`walking ${card.version}'s ${describe(config)} forward over ${folds.length} folds`);
  }
  const evaluation = walkForward(inputs, folds, settings, (f) => {
    log.info(
      `fold ${f.fold}/${folds.length}: ${f.test.rows} test rows, skill ${(f.model.skill * 100).toFixed(2)}%`,
    );
  });
  return { config, folds, evaluation, sameRows };
}

/** The setting `train` would choose now, by its own search, walked forward as `train` does. */
function trainWalk(ds: Dataset, cfg: BacktestConfig, log: Logger): WalkedForward {
  const progress = searchProgress(log);
  const run = fitRun(
    {
      ds,
      choice: cfg.model,
      folds: cfg.folds ?? DEFAULT_FOLDS,
      budget: cfg.budget,
      seed: cfg.seed,
      embargo: cfg.embargo,
      promoted: null,
    },
    progress.onStep,
    progress.onTrial,
  );
  progress.done();
  return { config: run.best.config, folds: run.folds, evaluation: run.evaluation };
}

/**
 * Each fold's test predictions with their times: made and acted on at the close of the row's
 * candle, from a model fitted through the fold's last training row.
 */
export function foldPredictions(ds: Dataset, folds: readonly Fold[], ev: Evaluation): FoldPredictions[] {
  const W = WINDOW_MS[ds.window];
  let at = 0;
  return folds.map((f) => {
    const predictions = Array.from(f.test, (i, k) => {
      if (ev.rows[at + k] !== i) throw new Error("the evaluation's rows are not the folds' test rows");
      return { made_at: ds.time[i]! + W, decision_at: ds.time[i]! + W, log_return: ev.predictions[at + k]! };
    });
    at += f.test.length;
    return { fold: f.index, trained_through: ds.time[f.train.at(-1)!]!, predictions };
  });
}

/** Reads the store of `cfg.dataDir`, replays the predictions and, with `--version`, stores the result. */
export async function backtestFromStore(
  cfg: BacktestConfig,
  log: Logger,
  clock: Clock = systemClock,
): Promise<BacktestReport> {
  const registry = new Registry(cfg.modelsDir);
  const name = modelName(cfg.pair, cfg.window, cfg.horizon);
  if (cfg.version !== undefined) {
    await checkModelName(registry, name, `model ${name} (--pair, --window, --horizon)`);
    await checkModelVersion(registry, name, cfg.version);
  }
  const card = cfg.version === undefined ? null : await registry.card(name, cfg.version);
  const store = await DuckDbFeatureStore.open(await offlineStore(cfg.dataDir, "ingest or backfill"), {
    readOnly: true,
  });
  let ds: Dataset, candles: BacktestCandle[];
  try {
    if (card && cfg.withPairs.length > 0) {
      log.warn(
        `--with-pairs is for a backtest without --version: ${card.version} reads ${
          card.other_pairs.length > 0 ? card.other_pairs.join(", ") : "no other pair"
        }, as it was trained`,
      );
    }
    await checkSeries(store, cfg.pair, cfg.window);
    if (!card) await checkOtherPairs(store, cfg.window, cfg.withPairs);
    ds = await buildDataset(store, {
      pair: cfg.pair,
      window: cfg.window,
      horizon: cfg.horizon,
      // A card's own join: cards from before the lag joined the other pairs' same window.
      ...(card
        ? { otherPairs: card.other_pairs, otherPairsLag: cardOtherPairs(card).lag }
        : { otherPairs: cfg.withPairs }),
    });
    candles = (await store.range(cfg.pair, cfg.window)).map((r) => ({
      window_start: r.window_start,
      open: r.open,
      close: r.close,
    }));
  } finally {
    store.close();
  }
  if (ds.n === 0) {
    throw new Error(`no warm ${cfg.pair} ${cfg.window} rows with a realised target in the offline store`);
  }
  log.info(
    `${ds.n} ${cfg.pair} ${cfg.window} rows with a target ${cfg.horizon} candle(s) ahead, ${candles.length} candles`,
  );

  const walked = card ? await versionWalk(ds, card, cfg, log) : trainWalk(ds, cfg, log);
  log.info(`replaying the out-of-sample predictions as a trading rule (threshold ${cfg.threshold})`);
  const result = backtest(foldPredictions(ds, walked.folds, walked.evaluation), candles, {
    windowMs: WINDOW_MS[cfg.window],
    horizon: cfg.horizon,
    feeBps: cfg.feeBps,
    slippageBps: cfg.slippageBps,
    threshold: cfg.threshold,
    longOnly: cfg.longOnly,
  });
  const report: BacktestReport = {
    name,
    version: card?.version ?? null,
    pair: cfg.pair,
    window: cfg.window,
    horizon: cfg.horizon,
    model: describe(walked.config),
    data: { rows: ds.n, from: isoTime(ds.range.from), to: isoTime(ds.range.to), hash: ds.hash },
    costs: { fee_bps: cfg.feeBps, slippage_bps: cfg.slippageBps },
    threshold: cfg.threshold,
    long_only: cfg.longOnly,
    folds: result.folds.map((f) => ({ ...f, from: isoTime(f.from), to: isoTime(f.to) })),
    overall: result.overall,
    equity: result.equity,
    created_at: isoTime(clock.now()),
  };
  if (card && walked.sameRows) {
    await registry.saveBacktest({ ...report, version: card.version });
    log.info(`stored as ${cfg.modelsDir}/${name}/${card.version}/backtest.json`);
  } else if (card) {
    // Other rows make other folds: kept beside the card, it would pass for the version's own backtest.
    log.warn(`not stored with ${card.version}: these are not the rows it was trained on`);
  } else {
    log.info(`not stored: with --version V the result is kept beside that version's card`);
  }
  return report;
}
