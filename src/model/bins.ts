/**
 * Histogram bins for tree learners: per feature, at most `maxBins` (≤ 256) ascending float32 edges
 * at the quantiles of the fitted rows, and every row's bin, where bin b holds the x with
 * edges[b−1] < float32(x) ≤ edges[b] and anything above the last edge (or NaN) falls in the last
 * bin. A split "bin ≤ b" is then exactly "float32(x) ≤ edges[b]", the rule ONNX trees apply.
 *
 * Each column is sorted once by an LSD radix sort of its float32 bits (the order
 * `Float32Array.prototype.sort` gives: −0 before +0, NaN last), and the fitted rows take their
 * bins walking that order, so binning costs a few linear passes instead of a comparison sort and
 * a binary search per value.
 */

export interface Binned {
  /** Per feature: its ascending edges. */
  edges: Float32Array[];
  /** Feature-major F × n bins: feature f's column is `bins.subarray(f * n, (f + 1) * n)`. */
  bins: Uint8Array;
}

/** Features read from X together: one cache line of X per row, not one per value. */
const GROUP = 8;

/** Edges from rows `[0, nFit)` of row-major `X` (n × F); bins for all n rows. */
export function binMatrix(X: Float64Array, n: number, nFit: number, F: number, maxBins: number): Binned {
  if (!(maxBins >= 1 && maxBins <= 256)) throw new RangeError(`maxBins must be 1 to 256, got ${maxBins}`);
  const cols = new Float32Array(GROUP * n);
  const sort = radixSorter(nFit);
  const edges: Float32Array[] = [];
  const bins = new Uint8Array(n * F);
  for (let f0 = 0; f0 < F; f0 += GROUP) {
    const g = Math.min(GROUP, F - f0);
    for (let i = 0; i < n; i++) {
      for (let j = 0, at = i * F + f0; j < g; j++) cols[j * n + i] = X[at + j]!;
    }
    for (let j = 0; j < g; j++) {
      const col = cols.subarray(j * n, (j + 1) * n), out = bins.subarray((f0 + j) * n, (f0 + j + 1) * n);
      const idx = sort(col);
      const picked: number[] = [];
      for (let b = 1; b <= maxBins; b++) {
        const v = col[idx[Math.min(nFit - 1, Math.ceil((b * nFit) / maxBins) - 1)]!]!;
        if (picked.length === 0 || v > picked[picked.length - 1]!) picked.push(v);
      }
      const e = Float32Array.from(picked), last = e.length - 1;
      edges.push(e);
      for (let k = 0, b = 0; k < nFit; k++) {
        const i = idx[k]!, v = col[i]!;
        while (b < last && !(v <= e[b]!)) b++;
        out[i] = b;
      }
      for (let i = nFit; i < n; i++) out[i] = Math.min(last, binOf(e, col[i]!));
    }
  }
  return { edges, bins };
}

/**
 * A sort of the first `m` values of a float32 column, returning their indices in ascending
 * order; its buffers are reused from call to call (the result is valid until the next call).
 */
function radixSorter(m: number): (col: Float32Array) => Uint32Array {
  let keys = new Uint32Array(m), idx = new Uint32Array(m);
  let keysTo = new Uint32Array(m), idxTo = new Uint32Array(m);
  const counts = new Uint32Array(256);
  return (col) => {
    const bits = new Uint32Array(col.buffer, col.byteOffset, m);
    for (let i = 0; i < m; i++) {
      const u = bits[i]!;
      // Sign-magnitude to unsigned order: negatives reversed below positives; every NaN last.
      keys[i] = col[i] !== col[i] ? 0xffffffff : (u & 0x80000000 ? ~u : u | 0x80000000) >>> 0;
      idx[i] = i;
    }
    for (let shift = 0; shift < 32; shift += 8) {
      counts.fill(0);
      for (let i = 0; i < m; i++) counts[(keys[i]! >>> shift) & 255]!++;
      if (counts[(keys[0]! >>> shift) & 255] === m) continue;
      for (let d = 0, at = 0; d < 256; d++) {
        const c = counts[d]!;
        counts[d] = at;
        at += c;
      }
      for (let i = 0; i < m; i++) {
        const to = counts[(keys[i]! >>> shift) & 255]!++;
        keysTo[to] = keys[i]!;
        idxTo[to] = idx[i]!;
      }
      [keys, keysTo] = [keysTo, keys];
      [idx, idxTo] = [idxTo, idx];
    }
    return idx;
  };
}

/** The first bin whose edge is ≥ float32(x); `edges.length` when none is. */
export function binOf(edges: Float32Array, x: number): number {
  const v = Math.fround(x);
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
