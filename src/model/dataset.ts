/**
 * A training set from the offline history (the `FeatureHistory` port): warm feature rows of one
 * pair and window, with the news columns joined point in time and, optionally, other pairs'
 * columns at the same time. The target is the log return from a candle's close to the close
 * `horizon` candles later, looked up by time; rows without a realised target are dropped. The
 * feature list, its order, the data range and a hash of the exact numbers are recorded, so a
 * model card says what it learned from.
 */
import { type Window, WINDOW_MS } from "../domain/candle.ts";
import { OTHER_PAIR_COLUMNS, otherPairs, type TrainingRow } from "../domain/feature_row.ts";
import type { FeatureHistory } from "../domain/ports.ts";
import { featureNames, featureVector } from "./features.ts";

export interface Dataset {
  pair: string;
  window: Window;
  horizon: number;
  features: string[];
  /** Row-major [n, features.length]. */
  X: Float64Array;
  /** Log return to the close `horizon` candles later. */
  y: Float64Array;
  close: Float64Array;
  targetClose: Float64Array;
  /** The SMA-7 at each row (the SMA baseline's prediction of the close). */
  sma: Float64Array;
  /** Window start of each row, ascending. */
  time: Float64Array;
  n: number;
  range: { from: number; to: number };
  /** SHA-256 of X, y and time. */
  hash: string;
}

export async function hashArrays(...arrays: Float64Array[]): Promise<string> {
  const total = arrays.reduce((a, x) => a + x.byteLength, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const x of arrays) {
    bytes.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), at);
    at += x.byteLength;
  }
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export interface DatasetOptions {
  pair: string;
  window: Window;
  horizon: number;
  otherPairs?: readonly string[];
  /** Windows before each row's own that the other pairs' rows are joined from. @default OTHER_PAIRS_LAG */
  otherPairsLag?: number;
}

function checkHorizon(horizon: number): void {
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new RangeError(`horizon must be a whole number of candles ≥ 1`);
  }
}

/**
 * The training set of `options` from the history's training rows: chunk by chunk where the
 * history gives them so, which keeps a year of one-minute rows from being held as objects at once.
 */
export async function buildDataset(
  history: Pick<FeatureHistory, "trainingRows" | "trainingRowChunks">,
  options: DatasetOptions,
): Promise<Dataset> {
  const { pair, window, horizon } = options;
  checkHorizon(horizon);
  const horizonMs = horizon * WINDOW_MS[window];
  const others = otherPairs(options.otherPairs ?? [], options.otherPairsLag);
  return await datasetFromChunks(
    history.trainingRowChunks
      ? history.trainingRowChunks(pair, window, horizonMs, others)
      : [await history.trainingRows(pair, window, horizonMs, others)],
    options,
  );
}

/** The training set of `rows` (training rows of one series, oldest first, as the history joins them). */
export async function datasetFromRows(
  rows: readonly TrainingRow[],
  options: DatasetOptions,
): Promise<Dataset> {
  return await datasetFromChunks([rows], options);
}

/** The training set of rows given in chunks, oldest first: each chunk becomes numbers as it comes. */
export async function datasetFromChunks(
  chunks: AsyncIterable<readonly TrainingRow[]> | Iterable<readonly TrainingRow[]>,
  { pair, window, horizon, otherPairs = [] }: DatasetOptions,
): Promise<Dataset> {
  checkHorizon(horizon);
  const others = otherPairs.flatMap((p) => OTHER_PAIR_COLUMNS.map((c) => `${p}:${c}`));
  const features = featureNames(others);
  const F = features.length;
  const parts: Pick<Dataset, "X" | "y" | "close" | "targetClose" | "sma" | "time">[] = [];
  for await (const rows of chunks) {
    const m = rows.length;
    const part = {
      X: new Float64Array(m * F),
      y: new Float64Array(m),
      close: new Float64Array(m),
      targetClose: new Float64Array(m),
      sma: new Float64Array(m),
      time: new Float64Array(m),
    };
    rows.forEach((r, i) => {
      part.X.set(featureVector(r, others), i * F);
      part.close[i] = r.close;
      part.targetClose[i] = r.target_close;
      part.y[i] = Math.log(r.target_close / r.close);
      part.sma[i] = r.sma_7 ?? r.close;
      part.time[i] = r.window_start;
    });
    parts.push(part);
  }
  const join = (key: keyof typeof parts[number]) => {
    const out = new Float64Array(parts.reduce((a, p) => a + p[key].length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p[key], at);
      at += p[key].length;
    }
    return out;
  };
  const time = join("time");
  const X = join("X"), y = join("y");
  const n = time.length;
  return {
    pair,
    window,
    horizon,
    features,
    X,
    y,
    close: join("close"),
    targetClose: join("targetClose"),
    sma: join("sma"),
    time,
    n,
    range: { from: n ? time[0]! : 0, to: n ? time[n - 1]! : 0 },
    hash: await hashArrays(X, y, time),
  };
}

/** Rows `idx` of a dataset's matrix as one row-major array. */
export function takeRows(X: Float64Array, F: number, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length * F);
  for (let k = 0; k < idx.length; k++) out.set(X.subarray(idx[k]! * F, (idx[k]! + 1) * F), k * F);
  return out;
}
