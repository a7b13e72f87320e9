/**
 * The inner loop of histogram GBDT: adding a node's rows to its histogram. Slot j·256 + b of
 * `sums` and `counts` gathers the gradients and the number of the rows whose bin in the node's
 * j-th chosen feature is b, summed in row order (so a histogram, and the split it gives, do not
 * depend on how the loop is arranged).
 *
 * The bins are feature-major and the rows ascending, so each column is read forward; eight
 * columns are read per pass over the rows, which amortises the row index and gradient loads and
 * keeps eight independent additions in flight.
 */

/** Histogram slots per feature. */
export const BINS = 256;

export interface RowsToAdd {
  /** Feature-major bins, F × n. */
  bins: Uint8Array;
  n: number;
  /** The chosen features' columns; the first `nf` are used. */
  features: Int32Array;
  nf: number;
  gradients: Float64Array;
  /** The node's rows are `rows[start, end)`. */
  rows: Uint32Array;
  start: number;
  end: number;
  /** Scratch for the node's gradients in row order, at least `end − start` long. */
  ordered: Float64Array;
}

export function addRows(sums: Float64Array, counts: Float64Array, a: RowsToAdd): void {
  const { bins, n, features, nf, rows, start, ordered: og } = a;
  const m = a.end - start;
  for (let k = 0; k < m; k++) og[k] = a.gradients[rows[start + k]!]!;
  let j = 0;
  for (; j + 8 <= nf; j += 8) {
    const o0 = features[j]! * n, o1 = features[j + 1]! * n, o2 = features[j + 2]! * n;
    const o3 = features[j + 3]! * n, o4 = features[j + 4]! * n, o5 = features[j + 5]! * n;
    const o6 = features[j + 6]! * n, o7 = features[j + 7]! * n;
    const a0 = j * BINS, a1 = a0 + BINS, a2 = a1 + BINS, a3 = a2 + BINS;
    const a4 = a3 + BINS, a5 = a4 + BINS, a6 = a5 + BINS, a7 = a6 + BINS;
    for (let k = 0; k < m; k++) {
      const r = rows[start + k]!, g = og[k]!;
      let s = a0 + bins[o0 + r]!;
      sums[s]! += g;
      counts[s]!++;
      s = a1 + bins[o1 + r]!;
      sums[s]! += g;
      counts[s]!++;
      s = a2 + bins[o2 + r]!;
      sums[s]! += g;
      counts[s]!++;
      s = a3 + bins[o3 + r]!;
      sums[s]! += g;
      counts[s]!++;
      s = a4 + bins[o4 + r]!;
      sums[s]! += g;
      counts[s]!++;
      s = a5 + bins[o5 + r]!;
      sums[s]! += g;
      counts[s]!++;
      s = a6 + bins[o6 + r]!;
      sums[s]! += g;
      counts[s]!++;
      s = a7 + bins[o7 + r]!;
      sums[s]! += g;
      counts[s]!++;
    }
  }
  for (; j < nf; j++) {
    const o = features[j]! * n, at = j * BINS;
    for (let k = 0; k < m; k++) {
      const s = at + bins[o + rows[start + k]!]!;
      sums[s]! += og[k]!;
      counts[s]!++;
    }
  }
}
