/**
 * What a fit leaves to register, computed where the fit ran (in the training Worker, which also
 * checks the export's parity, so the serving thread only writes it): the ONNX bytes, the rows of
 * the last test fold with the trained model's own predictions on them (the parity check's
 * reference), and the setting as the card records it.
 */
import { type Dataset, takeRows } from "../model/dataset.ts";
import type { FitRunOutput } from "../model/fit_run.ts";
import { type ModelConfig, predictModel, recordedSetting } from "../model/models.ts";
import { modelOnnx } from "./model_onnx.ts";

export interface ModelArtifacts {
  onnx: Uint8Array;
  /** The last test fold's rows, row-major, and the model's predictions on them. */
  check: { X: Float64Array; n: number; expected: Float64Array };
  recorded: ModelConfig & { rounds?: number };
  /** The parity check's result, when it already ran where the model was fitted. */
  parity?: { maxAbsDiff: number; maxRelDiff: number };
}

export function modelArtifacts(
  ds: Dataset,
  run: Pick<FitRunOutput, "final" | "folds" | "best">,
): ModelArtifacts {
  const F = ds.features.length;
  const doc = `${ds.pair} ${ds.window} log return ${ds.horizon} candles ahead`;
  const metadata = {
    pair: ds.pair,
    window: ds.window,
    horizon: String(ds.horizon),
    features: ds.features.join(","),
  };
  const rows = run.folds.at(-1)!.test;
  const X = takeRows(ds.X, F, rows);
  return {
    onnx: modelOnnx(run.final, F, doc, metadata),
    check: { X, n: rows.length, expected: predictModel(run.final, X, rows.length, F) },
    recorded: recordedSetting(run.best.config, run.final),
  };
}
