/**
 * A Worker that runs `fitRun`, so a process that also serves HTTP and ingests trades (`start`)
 * keeps answering while a model trains. Given a training-rows file instead of a dataset, it also
 * reads the file and builds the dataset, and hands it back first (its arrays transferred, not
 * copied): turning thousands of rows into a matrix would otherwise hold the serving thread.
 * Messages out: `{ dataset }` (from a file), `{ step }`s, then `{ done, artifacts }` (the export
 * already checked for parity) or `{ error }`.
 */
/// <reference lib="deno.worker" />
import { type Dataset, datasetFromChunks } from "../model/dataset.ts";
import { fitRun } from "../model/fit_run.ts";
import { trainingRowChunksFromFile } from "../stores/training_rows_file.ts";
import { modelArtifacts } from "./model_artifacts.ts";
import { checkParity } from "./onnx_export.ts";
import { lowerThreadPriority } from "./thread_priority.ts";
import type { WorkerInput } from "./worker_input.ts";

// Training must never delay a request or a candle of the process that started it.
lowerThreadPriority();

self.onmessage = async (e: MessageEvent<WorkerInput>) => {
  try {
    let ds: Dataset;
    if ("source" in e.data) {
      const { file, ...options } = e.data.source;
      ds = await datasetFromChunks(trainingRowChunksFromFile(file, options.otherPairs ?? []), options);
      // The Worker keeps its own; the copies move to the caller without another copy.
      const copy = {
        ...ds,
        X: ds.X.slice(),
        y: ds.y.slice(),
        close: ds.close.slice(),
        targetClose: ds.targetClose.slice(),
        sma: ds.sma.slice(),
        time: ds.time.slice(),
      };
      const arrays = [copy.X, copy.y, copy.close, copy.targetClose, copy.sma, copy.time];
      self.postMessage({ dataset: copy }, { transfer: arrays.map((a) => a.buffer) });
    } else {
      ds = e.data.ds;
    }
    const run = fitRun({ ...e.data, ds }, (step) => self.postMessage({ step }));
    // The export, reference predictions and recorded setting are made here too: the fitted model
    // itself (thousands of tree nodes) never crosses back to the serving thread.
    const artifacts = modelArtifacts(ds, run);
    // The parity check opens the export in onnxruntime-web: here, with the same runtime the server
    // loads, rather than on the serving thread, where opening a session stalled it for ~25 ms.
    const { onnx, check } = artifacts;
    artifacts.parity = await checkParity(onnx, check.X, check.n, ds.features.length, check.expected);
    const done = { ...run, final: null };
    artifacts.onnx = owning(artifacts.onnx);
    artifacts.check = {
      ...artifacts.check,
      X: owning(artifacts.check.X),
      expected: owning(artifacts.check.expected),
    };
    const transfer = [artifacts.onnx.buffer, artifacts.check.X.buffer, artifacts.check.expected.buffer];
    self.postMessage({ done, artifacts }, { transfer: transfer as ArrayBuffer[] });
  } catch (err) {
    self.postMessage({ error: { name: (err as Error).name, message: (err as Error).message } });
  }
};

/**
 * `a`, or a copy of it when it is a view of part of a larger buffer, which cannot be transferred
 * (a small ONNX export is a Node Buffer cut from Buffer's shared 8 KB pool) or would move more
 * than `a`. The copy is a plain typed array: a Buffer's own `slice` would be another view.
 */
function owning(a: Uint8Array): Uint8Array;
function owning(a: Float64Array): Float64Array;
function owning(a: Uint8Array | Float64Array): Uint8Array | Float64Array {
  if (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a;
  return a instanceof Float64Array ? new Float64Array(a) : new Uint8Array(a);
}
