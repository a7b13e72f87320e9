/**
 * A training run, end to end: walk-forward folds, a seeded search scored away from the test
 * folds, the chosen setting evaluated on them beside the baselines, a final fit on every row,
 * the ONNX export checked against it, and the registry: a new version with its card and
 * out-of-sample predictions, a line in the experiment log, and promotion only through the gate.
 */
import { WINDOW_MS } from "../domain/candle.ts";
import { isoTime } from "../domain/time.ts";
import { type Dataset, takeRows } from "./dataset.ts";
import { checkLeakage, type Evaluation, fitOn, walkForward } from "./evaluate.ts";
import { walkForwardFolds } from "./folds.ts";
import type { GbdtModel } from "./gbdt.ts";
import type { PriceMetrics } from "./metrics.ts";
import { describe, type ModelConfig } from "./models.ts";
import { checkParity, gbdtOnnx, INPUT, OUTPUT, ridgeOnnx } from "./onnx_export.ts";
import { codeVersion, type ModelCard, modelName, type Registry } from "./registry.ts";
import type { RidgeModel } from "./ridge.ts";
import { candidates, type ModelChoice, search, type Trial } from "./search.ts";

export interface TrainOptions {
  choice: ModelChoice;
  folds: number;
  budget: number;
  seed: number;
  /** Candles between training and test (at least the horizon). */
  embargo?: number | undefined;
  otherPairs?: readonly string[];
  registry: Registry;
  onStep?: (message: string) => void;
  onTrial?: (done: number, total: number, trial: Trial) => void;
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
  promoted: boolean;
  version: string;
  reason: string;
}

/** The promotion gate: strictly better than naive, and than the promoted model on the same folds. */
export function decide(
  modelMae: number,
  naiveMae: number,
  promoted: { version: string; mae: number } | null,
): {
  promoted: boolean;
  reason: string;
} {
  if (!(modelMae < naiveMae)) {
    return {
      promoted: false,
      reason: `MAE ${modelMae.toPrecision(6)} is not below the naive baseline's ${naiveMae.toPrecision(6)}`,
    };
  }
  if (promoted && !(modelMae < promoted.mae)) {
    return {
      promoted: false,
      reason: `MAE ${modelMae.toPrecision(6)} is not below the promoted ${promoted.version}'s ` +
        `${promoted.mae.toPrecision(6)} on the same folds`,
    };
  }
  return {
    promoted: true,
    reason: promoted
      ? `MAE ${modelMae.toPrecision(6)} beats naive ${naiveMae.toPrecision(6)} and ${promoted.version}'s ${
        promoted.mae.toPrecision(6)
      }`
      : `MAE ${modelMae.toPrecision(6)} beats naive ${naiveMae.toPrecision(6)}; no model was promoted before`,
  };
}

/** The dataset restricted to the named features, in that order (for an older model's inputs). */
function withFeatures(ds: Dataset, names: readonly string[]): Dataset | null {
  const idx = names.map((n) => ds.features.indexOf(n));
  if (idx.some((i) => i < 0)) return null;
  const F = ds.features.length, G = names.length;
  const X = new Float64Array(ds.n * G);
  for (let i = 0; i < ds.n; i++) for (let g = 0; g < G; g++) X[i * G + g] = ds.X[i * F + idx[g]!]!;
  return { ...ds, features: [...names], X };
}

function metricsRow(m: PriceMetrics): PriceMetrics {
  return { ...m };
}

export async function trainAndRegister(ds: Dataset, opts: TrainOptions): Promise<TrainReport> {
  const step = opts.onStep ?? (() => {});
  const W = WINDOW_MS[ds.window];
  const embargo = Math.max(ds.horizon, opts.embargo ?? ds.horizon);
  if (ds.n === 0) {
    throw new Error(`no warm ${ds.pair} ${ds.window} rows with a realised target in the offline store`);
  }
  const folds = walkForwardFolds(ds.time, { folds: opts.folds, embargoMs: embargo * W });
  checkLeakage(ds, folds.at(-1)!.train);

  const configs = candidates(opts.choice, opts.budget, opts.seed);
  step(`searching ${configs.length} settings (${opts.choice}) on the training side of ${folds.length} folds`);
  const trials = search(ds, folds, configs, embargo, (done, t) => opts.onTrial?.(done, configs.length, t));
  const best = trials[0]!;
  step(`chosen: ${describe(best.config)} (validation MAE of the return ${best.score.toExponential(3)})`);

  const evaluation: Evaluation = walkForward(ds, folds, best.config);
  const { model, naive, sma } = evaluation.overall;

  const name = modelName(ds.pair, ds.window, ds.horizon);
  const current = await opts.registry.promoted(name);
  let promotedMae: { version: string; mae: number } | null = null;
  let reasonOverride: string | null = null;
  if (current) {
    const sub = withFeatures(ds, current.features);
    if (!sub) {
      reasonOverride =
        `the promoted ${current.version} reads features this dataset lacks; compare and promote by hand`;
    } else {
      step(`re-evaluating the promoted ${current.version} (${describe(current.model)}) on the same folds`);
      const config: ModelConfig = current.model.kind === "ridge"
        ? { kind: "ridge", lambda: current.model.lambda }
        : { kind: "gbdt", params: current.model.params };
      promotedMae = { version: current.version, mae: walkForward(sub, folds, config).overall.model.mae };
    }
  }
  const decision = reasonOverride
    ? { promoted: false, reason: reasonOverride }
    : decide(model.mae, naive.mae, promotedMae);

  step(`fitting ${describe(best.config)} on all ${ds.n} rows and exporting to ONNX`);
  const all = Uint32Array.from({ length: ds.n }, (_, i) => i);
  const final = fitOn(ds, all, best.config);
  const F = ds.features.length;
  const doc = `${ds.pair} ${ds.window} log return ${ds.horizon} candles ahead`;
  const metadata = {
    pair: ds.pair,
    window: ds.window,
    horizon: String(ds.horizon),
    features: ds.features.join(","),
  };
  const onnx = final.model.kind === "ridge"
    ? ridgeOnnx(final.model as RidgeModel, doc, metadata)
    : gbdtOnnx(final.model as GbdtModel, F, doc, metadata);
  const check = folds.at(-1)!.test;
  const Xcheck = takeRows(ds.X, F, check);
  const parity = await checkParity(onnx, Xcheck, check.length, F, final.predict(Xcheck, check.length));

  const version = await opts.registry.reserve(name);
  const modelConfig = final.model.kind === "gbdt"
    ? { ...best.config, rounds: (final.model as GbdtModel).rounds }
    : best.config;
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
      budget: configs.length,
      seed: opts.seed,
      trials: trials.length,
      best_validation_mae_return: best.score,
    },
    folds: evaluation.folds,
    overall: evaluation.overall,
    onnx: { input: INPUT, output: OUTPUT, output_is: "log_return", parity_max_rel_diff: parity.maxRelDiff },
    decision,
    code_version: await codeVersion(),
    created_at: new Date().toISOString(),
  };
  await opts.registry.save(card, onnx);
  const lines = ["window_start,close,target_close,predicted_log_return"];
  evaluation.rows.forEach((i, k) => {
    lines.push(`${ds.time[i]},${ds.close[i]},${ds.targetClose[i]},${evaluation.predictions[k]}`);
  });
  await Deno.writeTextFile(
    `${opts.registry.dir}/${name}/${version}/predictions.csv`,
    lines.join("\n") + "\n",
  );
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
      model: metricsRow(f.model),
      naive: metricsRow(f.naive),
      sma: metricsRow(f.sma),
    })),
    naive,
    sma,
    model: { name: describe(best.config), config: best.config, ...model },
    promoted: decision.promoted,
    version,
    reason: decision.reason,
  };
}
