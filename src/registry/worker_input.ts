/** What the training Worker (./fit_worker.ts) is given: a dataset, or a training-rows file to build one from. */
import type { Dataset, DatasetOptions } from "../model/dataset.ts";
import type { FitRunInput } from "../model/fit_run.ts";

/** A training-rows CSV written by the offline store's `exportTrainingRows`, and what it holds. */
export interface DatasetFile extends DatasetOptions {
  file: string;
}

export type WorkerInput = Omit<FitRunInput, "ds"> & ({ ds: Dataset } | { source: DatasetFile });
