/**
 * A training run, end to end: walk-forward folds, a seeded search scored away from the test
 * folds, the chosen setting evaluated on them beside the baselines, a final fit on every row,
 * the ONNX export checked against it, and the registry: a new version with its card and
 * out-of-sample predictions, a line in the experiment log, and promotion only through the gate.
 */
import { PlatformWorker } from "../util/platform_worker.ts";
import { OTHER_PAIRS_LAG } from "../domain/feature_row.ts";
import { type ModelCard, modelName } from "../domain/model_card.ts";
import type { Clock, WritableModelRegistry } from "../domain/ports.ts";
import { isoTime } from "../domain/time.ts";
import { type Dataset, datasetFromChunks } from "../model/dataset.ts";
import { LeakageError, type VsNaive } from "../model/evaluate.ts";
import type { IntervalModel, IntervalReport } from "../model/conformal.ts";
import type { Importance } from "../model/importance.ts";
import { fitRun, type FitRunOutput } from "../model/fit_run.ts";
import type { PriceMetrics } from "../model/metrics.ts";
import { describe, type ModelConfig, settingOf } from "../model/models.ts";
import { decide } from "../model/promotion.ts";
import type { ModelChoice, Trial } from "../model/search.ts";
import { trainingRowChunksFromFile } from "../stores/training_rows_file.ts";
import { systemClock } from "../util/clock.ts";
import { codeVersion } from "./code_version.ts";
import { type ModelArtifacts, modelArtifacts } from "./model_artifacts.ts";
import { checkParity, INPUT, OUTPUT, ParityError } from "./onnx_export.ts";
import type { DatasetFile, WorkerInput } from "./worker_input.ts";

export interface TrainOptions {
  choice: ModelChoice;
  folds: number;
  budget: number;
  seed: number;
  /** Candles between training and test (at least the horizon). */
  embargo?: number | undefined;
  /** Best settings averaged into the model; see `FitRunInput`. */
  blend?: number | undefined;
  shrink?: "auto" | "off" | undefined;
  otherPairs?: readonly string[];
  registry: WritableModelRegistry;
  /** Dates the card. */
  clock?: Clock;
  onStep?: (message: string) => void;
  onTrial?: (done: number, total: number, trial: Trial) => void;
  /** Train in a Worker, leaving the event loop free (for a process that also serves). */
  inWorker?: boolean;
  /**
   * False: a version that passes the gate is registered but not promoted (the model loop runs it
   * as a challenger in shadow first). @default true
   */
  promote?: boolean;
  /**
   * False: the gate asks only that the model beat naive on the folds, not also the promoted
   * version's setting re-fitted on them. The model loop's retrainings pass false: re-fitted on the
   * latest data, the promoted setting is often the one the search picks again (then the two tie and
   * the retrained model could never challenge), and the loop compares the serving model itself with
   * the challenger live, on the same rows. @default true
   */
  vsPromoted?: boolean;
}

export interface TrainReport {
  name: string;
  pair: string;
  window: string;
  horizon: number;
  rows: number;
  features: string[];
  data: { from: string; to: string; hash: string };
  folds: {
    fold: number;
    train_rows: number;
    test_rows: number;
    test_from: string;
    test_to: string;
    /** The setting the fold was tested with, chosen on validation rows before its test rows. */
    setting: string;
    model: PriceMetrics;
    naive: PriceMetrics;
    sma: PriceMetrics;
    drift: PriceMetrics;
  }[];
  naive: PriceMetrics;
  sma: PriceMetrics;
  /** Each fold's median training return as a constant forecast: the trend with no inputs. */
  drift: PriceMetrics;
  model: { name: string; config: ModelConfig } & PriceMetrics;
  vs_naive: VsNaive;
  vs_drift: VsNaive;
  intervals: IntervalReport;
  importance: Importance;
  /** Promoted now. */
  promoted: boolean;
  /** Passed the gate (promoted, or a challenger when `promote` was false). */
  passed: boolean;
  version: string;
  reason: string;
}

/**
 * Runs `fitRun` in a Worker; its steps are reported as they happen, its errors rethrown here. From a
 * file, the Worker builds the dataset and hands it back first (`onDataset`).
 */
function fitRunInWorker(
  input: WorkerInput,
  onStep: (m: string) => void,
  onDataset: (ds: Dataset) => void = () => {},
): Promise<{ run: FitRunOutput; artifacts: ModelArtifacts }> {
  const worker = new PlatformWorker(new URL("./fit_worker.ts", import.meta.url).href, { type: "module" });
  return new Promise<{ run: FitRunOutput; artifacts: ModelArtifacts }>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent) => {
      const msg = e.data as {
        dataset?: Dataset;
        step?: string;
        done?: FitRunOutput;
        artifacts?: ModelArtifacts;
        error?: { name: string; message: string };
      };
      if (msg.dataset) onDataset(msg.dataset);
      else if (msg.step) onStep(msg.step);
      else if (msg.done) resolve({ run: msg.done, artifacts: msg.artifacts! });
      else if (msg.error) {
        const err = msg.error.name === "LeakageError"
          ? new LeakageError(msg.error.message)
          : msg.error.name === "ParityError"
          ? new ParityError(msg.error.message)
          : new Error(msg.error.message);
        reject(err);
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`the training worker failed: ${e.message}`));
    };
    worker.postMessage(input);
  }).finally(() => worker.terminate());
}

/**
 * Trains on `data` (a dataset, or a training-rows file that the Worker reads: `inWorker` then
 * applies), registers the version, and promotes it when it passes the gate (unless `promote` is
 * false).
 */
export async function trainAndRegister(
  data: Dataset | DatasetFile,
  opts: TrainOptions,
): Promise<TrainReport> {
  const step = opts.onStep ?? (() => {});
  const name = modelName(data.pair, data.window, data.horizon);
  const current = opts.vsPromoted === false ? null : await opts.registry.promoted(name);
  const base = {
    choice: opts.choice,
    folds: opts.folds,
    budget: opts.budget,
    seed: opts.seed,
    embargo: opts.embargo,
    blend: opts.blend,
    shrink: opts.shrink,
    promoted: current
      ? {
        version: current.version,
        features: current.features,
        model: settingOf(current.model),
      }
      : null,
  };
  let ds: Dataset;
  let run: FitRunOutput;
  let artifacts: ModelArtifacts;
  if (opts.inWorker) {
    let built: Dataset | undefined = "file" in data ? undefined : data;
    const input = "file" in data ? { ...base, source: data } : { ...base, ds: data };
    ({ run, artifacts } = await fitRunInWorker(input, step, (d) => built = d));
    ds = built!;
  } else {
    if ("file" in data) {
      const { file, ...options } = data;
      ds = await datasetFromChunks(trainingRowChunksFromFile(file, options.otherPairs ?? []), options);
    } else {
      ds = data;
    }
    run = fitRun({ ...base, ds }, step, opts.onTrial);
    artifacts = modelArtifacts(ds, run);
  }
  const { folds, trials, best, evaluation } = run;
  const { model, naive, sma, drift } = evaluation.overall;
  const gate = run.notComparable
    ? { promoted: false, reason: run.notComparable }
    : decide(model.mae, naive.mae, run.promotedMae);
  const decision = opts.vsPromoted === false && gate.promoted
    ? { ...gate, reason: `${gate.reason.split(";")[0]}; the serving model is compared with it live` }
    : gate;
  step(
    artifacts.parity
      ? "registering (the Worker exported to ONNX and checked it against the trained model)"
      : "exporting to ONNX and checking it against the trained model",
  );
  const { onnx, check } = artifacts;
  const parity = artifacts.parity ??
    await checkParity(onnx, check.X, check.n, ds.features.length, check.expected);

  const version = await opts.registry.reserve(name);
  const modelConfig = artifacts.recorded;
  const card: ModelCard = {
    name,
    version,
    pair: ds.pair,
    window: ds.window,
    horizon: ds.horizon,
    features: ds.features,
    other_pairs: [...(opts.otherPairs ?? [])],
    other_pairs_lag: OTHER_PAIRS_LAG,
    data: { rows: ds.n, from: isoTime(ds.range.from), to: isoTime(ds.range.to), hash: ds.hash },
    model: modelConfig,
    search: {
      budget: run.configs,
      seed: opts.seed,
      trials: trials.length,
      best_validation_mae_return: best.score,
    },
    folds: evaluation.folds,
    overall: evaluation.overall,
    vs_naive: evaluation.vs_naive,
    vs_drift: evaluation.vs_drift,
    intervals: run.intervals,
    importance: run.importance,
    onnx: { input: INPUT, output: OUTPUT, output_is: "log_return", parity_max_rel_diff: parity.maxRelDiff },
    decision,
    code_version: await codeVersion(),
    created_at: new Date((opts.clock ?? systemClock).now()).toISOString(),
  };
  await opts.registry.save(card, onnx);
  const lines = ["window_start,close,target_close,predicted_log_return"];
  evaluation.rows.forEach((i, k) => {
    lines.push(`${ds.time[i]},${ds.close[i]},${ds.targetClose[i]},${evaluation.predictions[k]}`);
  });
  await opts.registry.saveFile(name, version, "predictions.csv", lines.join("\n") + "\n");
  await opts.registry.log(name, {
    at: card.created_at,
    version,
    model: describe(best.config),
    rows: ds.n,
    data_hash: ds.hash,
    folds: folds.length,
    mae: model.mae,
    naive_mae: naive.mae,
    skill: model.skill,
    directional_accuracy: model.directional_accuracy,
    promoted: decision.promoted && opts.promote !== false,
    ...(decision.promoted && opts.promote === false ? { challenger: true } : {}),
    reason: decision.reason,
  });
  const promoted = decision.promoted && opts.promote !== false;
  if (promoted) await opts.registry.promote(name, version, "train", decision.reason);

  return {
    name,
    pair: ds.pair,
    window: ds.window,
    horizon: ds.horizon,
    rows: ds.n,
    features: ds.features,
    data: card.data,
    folds: evaluation.folds.map((f) => ({
      fold: f.fold,
      train_rows: f.train.rows,
      test_rows: f.test.rows,
      test_from: isoTime(f.test.from),
      test_to: isoTime(f.test.to),
      setting: describe(f.setting ?? best.config),
      model: f.model,
      naive: f.naive,
      sma: f.sma,
      drift: f.drift!,
    })),
    naive,
    sma,
    drift: drift!,
    model: { name: describe(best.config), config: best.config, ...model },
    vs_naive: evaluation.vs_naive,
    vs_drift: evaluation.vs_drift,
    // The card keeps the calibration scores serving goes on from; the report says how many.
    intervals: { ...run.intervals, model: withoutScores(run.intervals.model) },
    importance: run.importance,
    promoted,
    passed: decision.promoted,
    version,
    reason: decision.reason,
  };
}

function withoutScores({ scores: _scores, times: _times, ...rest }: IntervalModel): IntervalModel {
  return rest;
}
