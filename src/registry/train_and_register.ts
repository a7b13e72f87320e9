/**
 * A training run, end to end: walk-forward folds, a seeded search scored away from the test
 * folds, the chosen setting evaluated on them beside the baselines, a final fit on every row,
 * the ONNX export checked against it, and the registry: a new version with its card and
 * out-of-sample predictions, a line in the experiment log, and promotion only through the gate.
 */
import { type ModelCard, modelName } from "../domain/model_card.ts";
import type { Clock, WritableModelRegistry } from "../domain/ports.ts";
import { isoTime } from "../domain/time.ts";
import { type Dataset, takeRows } from "../model/dataset.ts";
import { LeakageError } from "../model/evaluate.ts";
import type { IntervalReport } from "../model/conformal.ts";
import type { Importance } from "../model/importance.ts";
import { fitRun, type FitRunInput, type FitRunOutput } from "../model/fit_run.ts";
import type { PriceMetrics } from "../model/metrics.ts";
import { describe, type ModelConfig, predictModel, recordedSetting, settingOf } from "../model/models.ts";
import { decide } from "../model/promotion.ts";
import type { ModelChoice, Trial } from "../model/search.ts";
import { systemClock } from "../util/clock.ts";
import { codeVersion } from "./code_version.ts";
import { checkParity, INPUT, modelOnnx, OUTPUT } from "./onnx_export.ts";

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
    model: PriceMetrics;
    naive: PriceMetrics;
    sma: PriceMetrics;
  }[];
  naive: PriceMetrics;
  sma: PriceMetrics;
  model: { name: string; config: ModelConfig } & PriceMetrics;
  intervals: IntervalReport;
  importance: Importance;
  promoted: boolean;
  version: string;
  reason: string;
}

// The platform's Worker, taken before anything can replace it: onnxruntime-web, once it starts its
// WebAssembly under Deno's Node compatibility, leaves node:worker_threads' Worker on globalThis.
const WebWorker = globalThis.Worker;

/** Runs `fitRun` in a Worker; its steps are reported as they happen, its errors rethrown here. */
function fitRunInWorker(input: FitRunInput, onStep: (m: string) => void): Promise<FitRunOutput> {
  const worker = new WebWorker(new URL("./fit_worker.ts", import.meta.url).href, { type: "module" });
  return new Promise<FitRunOutput>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent) => {
      const msg = e.data as { step?: string; done?: FitRunOutput; error?: { name: string; message: string } };
      if (msg.step) onStep(msg.step);
      else if (msg.done) resolve(msg.done);
      else if (msg.error) {
        const err = msg.error.name === "LeakageError"
          ? new LeakageError(msg.error.message)
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

export async function trainAndRegister(ds: Dataset, opts: TrainOptions): Promise<TrainReport> {
  const step = opts.onStep ?? (() => {});
  const name = modelName(ds.pair, ds.window, ds.horizon);
  const current = await opts.registry.promoted(name);
  const input: FitRunInput = {
    ds,
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
  const run = opts.inWorker ? await fitRunInWorker(input, step) : fitRun(input, step, opts.onTrial);
  const { folds, trials, best, evaluation } = run;
  const { model, naive, sma } = evaluation.overall;
  const decision = run.notComparable
    ? { promoted: false, reason: run.notComparable }
    : decide(model.mae, naive.mae, run.promotedMae);
  const final = run.final;
  step(`exporting to ONNX and checking it against the trained model`);
  const F = ds.features.length;
  const doc = `${ds.pair} ${ds.window} log return ${ds.horizon} candles ahead`;
  const metadata = {
    pair: ds.pair,
    window: ds.window,
    horizon: String(ds.horizon),
    features: ds.features.join(","),
  };
  const onnx = modelOnnx(final, F, doc, metadata);
  const check = folds.at(-1)!.test;
  const Xcheck = takeRows(ds.X, F, check);
  const parity = await checkParity(
    onnx,
    Xcheck,
    check.length,
    F,
    predictModel(final, Xcheck, check.length, F),
  );

  const version = await opts.registry.reserve(name);
  const modelConfig = recordedSetting(best.config, final);
  const card: ModelCard = {
    name,
    version,
    pair: ds.pair,
    window: ds.window,
    horizon: ds.horizon,
    features: ds.features,
    other_pairs: [...(opts.otherPairs ?? [])],
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
    promoted: decision.promoted,
    reason: decision.reason,
  });
  if (decision.promoted) await opts.registry.promote(name, version, "train", decision.reason);

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
      model: f.model,
      naive: f.naive,
      sma: f.sma,
    })),
    naive,
    sma,
    model: { name: describe(best.config), config: best.config, ...model },
    intervals: run.intervals,
    importance: run.importance,
    promoted: decision.promoted,
    version,
    reason: decision.reason,
  };
}
