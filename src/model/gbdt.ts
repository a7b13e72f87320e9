/**
 * Gradient-boosted regression trees, histogram-based. Features are pre-binned once (at most
 * 256 bins from training quantiles, edges rounded to float32); a node's histogram holds the
 * gradient sum and count per bin, the smaller child's is built from its rows and the larger's
 * by subtraction. Trees grow best-first up to `maxDepth` and `maxLeaves`; rows and features are
 * subsampled per tree from a seeded generator; the last `validationFraction` of the rows (the
 * latest in time) is held out for early stopping.
 *
 * A split sends a row left when `float32(x) <= threshold`, the rule of ONNX's
 * TreeEnsembleRegressor (BRANCH_LEQ on float inputs), so the exported model decides the same.
 * Losses: L2 (leaf = mean residual step), Huber (gradients clipped at δ, the 90th percentile of
 * |y − median| unless given), L1 (leaf = median residual).
 *
 * One file of about 320 lines on purpose: `fitGbdt`'s histogram, split and partition loops are
 * closures over the same local buffers (bins, gradients, predictions), which a split would have to
 * pass around or allocate again on the hot path.
 */
import { seededRandom } from "../util/random.ts";

export interface GbdtParams {
  loss: "l2" | "huber" | "l1";
  huberDelta?: number | undefined;
  rounds: number;
  learningRate: number;
  maxDepth: number;
  maxLeaves: number;
  minSamplesLeaf: number;
  /** Fraction of rows each tree sees. */
  subsample: number;
  /** Fraction of features each tree may split on. */
  colsample: number;
  /** L2 regularisation of leaf values. */
  lambda: number;
  earlyStoppingRounds: number;
  validationFraction: number;
  maxBins: number;
  seed: number;
}

export const DEFAULT_GBDT: GbdtParams = {
  loss: "l2",
  rounds: 300,
  learningRate: 0.05,
  maxDepth: 6,
  maxLeaves: 31,
  minSamplesLeaf: 20,
  subsample: 0.8,
  colsample: 0.8,
  lambda: 1,
  earlyStoppingRounds: 30,
  validationFraction: 0.1,
  maxBins: 255,
  seed: 1,
};

/** One tree as flat arrays; a leaf has feature −1. */
export interface Tree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface GbdtModel {
  kind: "gbdt";
  base: number;
  trees: Tree[];
  params: GbdtParams;
  /** Rounds kept (the best on validation). */
  rounds: number;
  /** Training loss after each round (on the rows fitted). */
  trainLoss: number[];
  validLoss: number[];
}

function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))]!;
}

function median(values: Float64Array): number {
  return values.length ? quantileSorted(Float64Array.from(values).sort(), 0.5) : 0;
}

/** Bin edges per feature: ascending float32 values; bin b holds x with edges[b−1] < x ≤ edges[b]. */
export function binEdges(X: Float64Array, n: number, F: number, maxBins: number): Float32Array[] {
  const edges: Float32Array[] = [];
  const col = new Float32Array(n);
  for (let f = 0; f < F; f++) {
    for (let i = 0; i < n; i++) col[i] = X[i * F + f]!;
    col.sort();
    const out: number[] = [];
    for (let b = 1; b <= maxBins; b++) {
      const v = col[Math.min(n - 1, Math.ceil((b * n) / maxBins) - 1)]!;
      if (out.length === 0 || v > out[out.length - 1]!) out.push(v);
    }
    edges.push(Float32Array.from(out));
  }
  return edges;
}

function binOf(edges: Float32Array, x: number): number {
  const v = Math.fround(x);
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function lossOf(kind: GbdtParams["loss"], delta: number, r: number): number {
  const a = Math.abs(r);
  if (kind === "l2") return 0.5 * r * r;
  if (kind === "l1") return a;
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

interface Leaf {
  rows: Uint32Array;
  depth: number;
  /** Per feature × 256 bins: gradient sums and counts. */
  grad: Float64Array;
  count: Float64Array;
  best: { gain: number; feature: number; bin: number } | null;
  node: number;
}

export function fitGbdt(
  X: Float64Array,
  y: Float64Array,
  n: number,
  F: number,
  params: Partial<GbdtParams> = {},
  onRound?: (round: number, trainLoss: number, validLoss: number) => void,
): GbdtModel {
  const p: GbdtParams = { ...DEFAULT_GBDT, ...params };
  if (n < 2) throw new Error("GBDT needs at least 2 training rows");
  const rand = seededRandom(p.seed);
  const nValid = Math.min(n - 1, Math.floor(n * p.validationFraction));
  const nFit = n - nValid;
  const edges = binEdges(X, nFit, F, Math.min(256, p.maxBins));
  const B = 256;
  const bins = new Uint8Array(F * n);
  for (let f = 0; f < F; f++) {
    for (let i = 0; i < n; i++) {
      bins[f * n + i] = Math.min(edges[f]!.length - 1, binOf(edges[f]!, X[i * F + f]!));
    }
  }
  const yFit = y.subarray(0, nFit);
  const base = p.loss === "l2" ? yFit.reduce((a, b) => a + b, 0) / nFit : median(yFit);
  const delta = p.huberDelta ?? Math.max(
    1e-12,
    quantileSorted(
      Float64Array.from(yFit, (v) => Math.abs(v - base)).sort(),
      0.9,
    ),
  );
  const pred = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);
  const trees: Tree[] = [];
  const trainLoss: number[] = [], validLoss: number[] = [];
  let bestValid = Infinity, bestRound = 0;
  const allFeatures = Array.from({ length: F }, (_, f) => f);

  const histogram = (rows: Uint32Array, features: number[]): { grad: Float64Array; count: Float64Array } => {
    const g = new Float64Array(F * B), c = new Float64Array(F * B);
    for (const f of features) {
      const off = f * n, hb = f * B;
      for (let k = 0; k < rows.length; k++) {
        const r = rows[k]!;
        const b = hb + bins[off + r]!;
        g[b]! += grad[r]!;
        c[b]!++;
      }
    }
    return { grad: g, count: c };
  };

  const bestSplit = (leaf: Leaf, features: number[]): Leaf["best"] => {
    let G = 0, C = 0;
    const f0 = features[0]!;
    for (let b = 0; b < B; b++) {
      G += leaf.grad[f0 * B + b]!;
      C += leaf.count[f0 * B + b]!;
    }
    const parentScore = (G * G) / (C + p.lambda);
    let best: Leaf["best"] = null;
    for (const f of features) {
      let gl = 0, cl = 0;
      const nb = edges[f]!.length;
      for (let b = 0; b < nb - 1; b++) {
        gl += leaf.grad[f * B + b]!;
        cl += leaf.count[f * B + b]!;
        if (cl < p.minSamplesLeaf) continue;
        const cr = C - cl;
        if (cr < p.minSamplesLeaf) break;
        const gr = G - gl;
        const gain = (gl * gl) / (cl + p.lambda) + (gr * gr) / (cr + p.lambda) - parentScore;
        if (gain > 1e-18 && (best === null || gain > best.gain)) best = { gain, feature: f, bin: b };
      }
    }
    return best;
  };

  for (let round = 0; round < p.rounds; round++) {
    for (let i = 0; i < nFit; i++) {
      const r = pred[i]! - y[i]!;
      grad[i] = p.loss === "l2" ? r : p.loss === "l1" ? Math.sign(r) : Math.max(-delta, Math.min(delta, r));
    }
    const sampled: number[] = [];
    for (let i = 0; i < nFit; i++) if (p.subsample >= 1 || rand() < p.subsample) sampled.push(i);
    const features = p.colsample >= 1
      ? allFeatures
      : allFeatures.filter(() => rand() < p.colsample).concat().sort((a, b) => a - b);
    if (features.length === 0) features.push(Math.floor(rand() * F));

    const tree: Tree = { feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0] };
    const rootRows = Uint32Array.from(sampled);
    const rootHist = histogram(rootRows, features);
    const root: Leaf = { rows: rootRows, depth: 0, ...rootHist, best: null, node: 0 };
    root.best = p.maxDepth > 0 ? bestSplit(root, features) : null;
    const leaves: Leaf[] = [root];
    let nLeaves = 1;
    for (;;) {
      if (nLeaves >= p.maxLeaves) break;
      let pick = -1;
      for (let k = 0; k < leaves.length; k++) {
        const b = leaves[k]!.best;
        if (b && (pick < 0 || b.gain > leaves[pick]!.best!.gain)) pick = k;
      }
      if (pick < 0) break;
      const leaf = leaves[pick]!;
      const { feature, bin } = leaf.best!;
      const col = feature * n;
      const leftRows: number[] = [], rightRows: number[] = [];
      for (const r of leaf.rows) (bins[col + r]! <= bin ? leftRows : rightRows).push(r);
      const L = Uint32Array.from(leftRows), R = Uint32Array.from(rightRows);
      const smallIsLeft = L.length <= R.length;
      const small = histogram(smallIsLeft ? L : R, features);
      const large = { grad: leaf.grad, count: leaf.count };
      for (let k = 0; k < large.grad.length; k++) {
        large.grad[k]! -= small.grad[k]!;
        large.count[k]! -= small.count[k]!;
      }
      const lNode = tree.feature.length, rNode = lNode + 1;
      for (let k = 0; k < 2; k++) {
        tree.feature.push(-1);
        tree.threshold.push(0);
        tree.left.push(-1);
        tree.right.push(-1);
        tree.value.push(0);
      }
      tree.feature[leaf.node] = feature;
      tree.threshold[leaf.node] = edges[feature]![bin]!;
      tree.left[leaf.node] = lNode;
      tree.right[leaf.node] = rNode;
      const depth = leaf.depth + 1;
      const leftLeaf: Leaf = { rows: L, depth, ...(smallIsLeft ? small : large), best: null, node: lNode };
      const rightLeaf: Leaf = { rows: R, depth, ...(smallIsLeft ? large : small), best: null, node: rNode };
      for (const child of [leftLeaf, rightLeaf]) {
        child.best = depth < p.maxDepth && child.rows.length >= 2 * p.minSamplesLeaf
          ? bestSplit(child, features)
          : null;
      }
      leaves.splice(pick, 1, leftLeaf, rightLeaf);
      nLeaves++;
    }
    for (const leaf of leaves) {
      let v: number;
      if (p.loss === "l1") {
        const res = Float64Array.from(leaf.rows, (r) => y[r]! - pred[r]!);
        v = median(res);
      } else {
        let G = 0;
        for (const r of leaf.rows) G += grad[r]!;
        v = -G / (leaf.rows.length + p.lambda);
      }
      tree.value[leaf.node] = p.learningRate * v;
    }
    trees.push(tree);

    // Every row moves by the new tree (the rows it was not fitted on as well).
    let tl = 0, vl = 0;
    for (let i = 0; i < n; i++) {
      let node = 0;
      while (tree.feature[node]! >= 0) {
        const f = tree.feature[node]!;
        node = Math.fround(X[i * F + f]!) <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
      }
      pred[i]! += tree.value[node]!;
      const l = lossOf(p.loss, delta, pred[i]! - y[i]!);
      if (i < nFit) tl += l;
      else vl += l;
    }
    trainLoss.push(tl / nFit);
    validLoss.push(nValid ? vl / nValid : tl / nFit);
    onRound?.(round + 1, trainLoss.at(-1)!, validLoss.at(-1)!);
    if (validLoss.at(-1)! < bestValid - 1e-15) {
      bestValid = validLoss.at(-1)!;
      bestRound = round + 1;
    } else if (nValid && round + 1 - bestRound >= p.earlyStoppingRounds) break;
  }
  const kept = nValid ? Math.max(1, bestRound) : trees.length;
  return { kind: "gbdt", base, trees: trees.slice(0, kept), params: p, rounds: kept, trainLoss, validLoss };
}

export function predictGbdt(m: GbdtModel, X: Float64Array, n: number, F: number): Float64Array {
  const out = new Float64Array(n).fill(m.base);
  for (const t of m.trees) {
    for (let i = 0; i < n; i++) {
      let node = 0;
      while (t.feature[node]! >= 0) {
        node = Math.fround(X[i * F + t.feature[node]!]!) <= t.threshold[node]!
          ? t.left[node]!
          : t.right[node]!;
      }
      out[i]! += t.value[node]!;
    }
  }
  return out;
}
