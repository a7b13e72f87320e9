/**
 * Walk-forward folds: the rows (in time order) are cut into k + 1 consecutive blocks; fold i
 * tests on block i and trains on everything before it, less an embargo. A training row's target
 * is the close `horizon` candles after it, so rows closer than `embargo` candles (≥ horizon) to
 * the test block are dropped from training: no training target reaches into the test period.
 */

export interface Fold {
  index: number;
  /** Row indices, ascending. */
  train: Uint32Array;
  test: Uint32Array;
}

export function walkForwardFolds(
  time: Float64Array,
  { folds, embargoMs, minTrain = 50 }: { folds: number; embargoMs: number; minTrain?: number },
): Fold[] {
  const n = time.length;
  if (folds < 1) throw new RangeError("at least one fold");
  const block = Math.floor(n / (folds + 1));
  if (block < 1) throw new Error(`${n} rows are too few for ${folds} folds`);
  const out: Fold[] = [];
  for (let i = 1; i <= folds; i++) {
    const testStart = i * block;
    const testEnd = i === folds ? n : (i + 1) * block;
    const cutoff = time[testStart]! - embargoMs;
    let trainEnd = 0;
    while (trainEnd < testStart && time[trainEnd]! <= cutoff) trainEnd++;
    if (trainEnd < minTrain) {
      throw new Error(
        `fold ${i} would train on ${trainEnd} rows (fewer than ${minTrain}): use fewer folds or more data`,
      );
    }
    out.push({
      index: i,
      train: Uint32Array.from({ length: trainEnd }, (_, k) => k),
      test: Uint32Array.from({ length: testEnd - testStart }, (_, k) => testStart + k),
    });
  }
  return out;
}
