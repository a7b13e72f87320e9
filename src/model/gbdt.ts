/**
 * Gradient-boosted regression trees, histogram-based. Features are pre-binned once (at most
 * 256 bins from training quantiles, edges rounded to float32; see `bins.ts`); a node's histogram
 * holds the gradient sum and count per bin, the smaller child's is built from its rows and the
 * larger's by subtraction, and a child that cannot split gets none. Trees grow best-first up to
 * `maxDepth` and `maxLeaves`; rows and features are subsampled per tree from a seeded generator;
 * the last `validationFraction` of the rows (the latest in time) is held out for early stopping.
 *
 * A split sends a row left when `float32(x) <= threshold`, the rule of ONNX's
 * TreeEnsembleRegressor (BRANCH_LEQ on float inputs), so the exported model decides the same; in
 * training, "bin ≤ split bin" is the same test. Losses: L2 (leaf = mean residual step), Huber
 * (gradients clipped at δ, the 90th percentile of |y − median| unless given), L1 (leaf = median
 * residual).
 *
 * A tree's rows are one index array, partitioned in place (stably) as leaves split, so a leaf is
 * a range of it and every sum runs in row order: the trees do not depend on how the loops are
 * arranged, only on the data, the setting and the seed. Nothing is allocated per row.
 *
 * One file of about 400 lines on purpose: `fitGbdt`'s histogram, split and partition steps are
 * closures over the same local buffers (bins, gradients, row order, histogram pool), which a
 * split would have to pass around on the hot path.
 */
import { seededRandom } from "../util/random.ts";
import { binMatrix } from "./bins.ts";
import { addRows, BINS } from "./histogram.ts";
import { quantileSorted } from "./quantile.ts";

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
  /** Latest fraction of the rows kept out of fitting to choose the number of rounds on. */
  validationFraction: number;
  /**
   * Rows left out between the fitted rows and those, so no fitted target (a return `horizon`
   * candles ahead) reaches into theirs.
   */
  validationGap: number;
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
  validationGap: 0,
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
  /** Loss reduction of each kept tree's splits, summed per feature: gain importance. */
  gain: number[];
}

function median(values: Float64Array): number {
  return values.length ? quantileSorted(Float64Array.from(values).sort(), 0.5) : 0;
}

function lossOf(kind: GbdtParams["loss"], delta: number, r: number): number {
  const a = Math.abs(r);
  if (kind === "l2") return 0.5 * r * r;
  if (kind === "l1") return a;
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

/** A leaf of the growing tree: its rows are `order[start, end)`, ascending. */
interface Leaf {
  start: number;
  end: number;
  depth: number;
  node: number;
  /** Null once the leaf cannot split (its histogram went back to the pool). */
  hist: Histogram | null;
  gain: number;
  /** Index into the tree's chosen features; −1 when the leaf does not split. */
  split: number;
  bin: number;
}

/** Gradient sums and row counts per (chosen feature, bin): slot j·256 + b. */
interface Histogram {
  grad: Float64Array;
  count: Float64Array;
}

const B = BINS;

const newLeaf = (start: number, end: number, depth: number, node: number): Leaf => ({
  start,
  end,
  depth,
  node,
  hist: null,
  gain: 0,
  split: -1,
  bin: 0,
});

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
  if (!(p.maxBins >= 1)) throw new RangeError(`GBDT maxBins must be at least 1, got ${p.maxBins}`);
  const rand = seededRandom(p.seed);
  const nValid = Math.min(n - 1, Math.floor(n * p.validationFraction));
  const gap = nValid > 0 ? Math.max(0, Math.min(Math.floor(p.validationGap), n - nValid - 2)) : 0;
  const nFit = n - nValid - gap;
  const { edges, bins } = binMatrix(X, n, nFit, F, Math.min(B, p.maxBins));
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
  /** Per tree, the split gains summed per feature. */
  const treeGains: Float64Array[] = [];
  const trainLoss: number[] = [], validLoss: number[] = [];
  let bestValid = Infinity, bestRound = 0;
  const allFeatures = Array.from({ length: F }, (_, f) => f);

  // The tree's rows, partitioned in place leaf by leaf; stable, so every sum keeps row order.
  const order = new Uint32Array(nFit);
  const scratch = new Uint32Array(nFit);
  // The round that last put a row in a leaf; the other rows are routed down the tree.
  const placed = new Int32Array(n).fill(-1);
  const pool: Histogram[] = [];
  // Per chosen feature j: its column, and its last bin (a split needs rows on both sides).
  const chosen = new Int32Array(F);
  const lastBin = new Int32Array(F);
  let nf = 0;

  const take = (): Histogram => {
    const h = pool.pop() ?? { grad: new Float64Array(F * B), count: new Float64Array(F * B) };
    h.grad.fill(0, 0, nf * B);
    h.count.fill(0, 0, nf * B);
    return h;
  };
  const release = (leaf: Leaf) => {
    if (leaf.hist) pool.push(leaf.hist);
    leaf.hist = null;
  };

  const ordered = new Float64Array(nFit);
  const build = (h: Histogram, start: number, end: number) =>
    addRows(h.grad, h.count, {
      bins,
      n,
      features: chosen,
      nf,
      gradients: grad,
      rows: order,
      start,
      end,
      ordered,
    });

  const findSplit = (leaf: Leaf) => {
    const g = leaf.hist!.grad, c = leaf.hist!.count;
    let G = 0, C = 0;
    for (let b = 0; b < B; b++) {
      G += g[b]!;
      C += c[b]!;
    }
    const lambda = p.lambda, minLeaf = p.minSamplesLeaf;
    const parentScore = (G * G) / (C + lambda);
    let bestGain = 0, bestJ = -1, bestBin = 0;
    for (let j = 0; j < nf; j++) {
      let gl = 0, cl = 0;
      const at = j * B, nb = lastBin[j]!;
      for (let b = 0; b < nb; b++) {
        const cb = c[at + b]!, gb = g[at + b]!;
        // An empty bin splits as the bin before it (unless a subtraction left a rounding residue).
        if (cb === 0 && gb === 0) continue;
        gl += gb;
        cl += cb;
        if (cl < minLeaf) continue;
        const cr = C - cl;
        if (cr < minLeaf) break;
        const gr = G - gl;
        const gain = (gl * gl) / (cl + lambda) + (gr * gr) / (cr + lambda) - parentScore;
        if (gain > 1e-18 && (bestJ < 0 || gain > bestGain)) {
          bestGain = gain;
          bestJ = j;
          bestBin = b;
        }
      }
    }
    leaf.gain = bestGain;
    leaf.split = bestJ;
    leaf.bin = bestBin;
  };

  const gradients = () => {
    for (let i = 0; i < nFit; i++) grad[i] = pred[i]! - y[i]!;
    if (p.loss === "l1") { for (let i = 0; i < nFit; i++) grad[i] = Math.sign(grad[i]!); }
    if (p.loss === "huber") {
      for (let i = 0; i < nFit; i++) grad[i] = Math.max(-delta, Math.min(delta, grad[i]!));
    }
  };

  /** Partitions a leaf's rows in place, stably: bin ≤ `bin` first; returns where the rest start. */
  const partition = (leaf: Leaf, feature: number, bin: number): number => {
    const col = feature * n;
    let w = leaf.start, s = 0;
    for (let k = leaf.start; k < leaf.end; k++) {
      const r = order[k]!;
      if (bins[col + r]! <= bin) order[w++] = r;
      else scratch[s++] = r;
    }
    order.set(scratch.subarray(0, s), w);
    return w;
  };

  /**
   * The children's histograms: the smaller child's from its rows, the larger's as the parent's
   * minus it, in the parent's buffer; none for a child that cannot split.
   */
  const childHistograms = (parent: Leaf, left: Leaf, right: Leaf) => {
    const smallIsLeft = left.end - left.start <= right.end - right.start;
    const small = smallIsLeft ? left : right, large = smallIsLeft ? right : left;
    const h = parent.hist!, size = nf * B;
    parent.hist = null;
    if (splittable(large)) {
      small.hist = take();
      build(small.hist, small.start, small.end);
      large.hist = h;
      const sg = small.hist.grad, sc = small.hist.count;
      for (let k = 0; k < size; k++) {
        h.grad[k]! -= sg[k]!;
        h.count[k]! -= sc[k]!;
      }
    } else if (splittable(small)) {
      small.hist = h;
      h.grad.fill(0, 0, size);
      h.count.fill(0, 0, size);
      build(h, small.start, small.end);
    } else pool.push(h);
  };

  /** The mean loss of rows `[from, to)`, summed in row order. */
  const meanLoss = (from: number, to: number): number => {
    let sum = 0;
    if (p.loss === "l2") {
      for (let i = from; i < to; i++) sum += 0.5 * (pred[i]! - y[i]!) * (pred[i]! - y[i]!);
    } else {
      for (let i = from; i < to; i++) sum += lossOf(p.loss, delta, pred[i]! - y[i]!);
    }
    return sum / (to - from);
  };

  const splittable = (leaf: Leaf) => leaf.depth < p.maxDepth && leaf.end - leaf.start >= 2 * p.minSamplesLeaf;
  const consider = (leaf: Leaf) => {
    if (leaf.hist && splittable(leaf)) findSplit(leaf);
    if (leaf.split < 0) release(leaf);
  };

  for (let round = 0; round < p.rounds; round++) {
    gradients();
    let m = 0;
    for (let i = 0; i < nFit; i++) if (p.subsample >= 1 || rand() < p.subsample) order[m++] = i;
    const features = p.colsample >= 1
      ? allFeatures
      : allFeatures.filter(() => rand() < p.colsample).concat().sort((a, b) => a - b);
    if (features.length === 0) features.push(Math.floor(rand() * F));
    nf = features.length;
    features.forEach((f, j) => {
      chosen[j] = f;
      lastBin[j] = edges[f]!.length - 1;
    });

    const tree: Tree = { feature: [-1], threshold: [0], left: [-1], right: [-1], value: [0] };
    const splitBin: number[] = [0];
    const gains = new Float64Array(F);
    const root = newLeaf(0, m, 0, 0);
    root.hist = take();
    build(root.hist, 0, m);
    consider(root);
    const leaves: Leaf[] = [root];
    while (leaves.length < p.maxLeaves) {
      let pick = -1;
      for (let k = 0; k < leaves.length; k++) {
        const l = leaves[k]!;
        if (l.split >= 0 && (pick < 0 || l.gain > leaves[pick]!.gain)) pick = k;
      }
      if (pick < 0) break;
      const leaf = leaves[pick]!;
      const feature = chosen[leaf.split]!, bin = leaf.bin;
      const w = partition(leaf, feature, bin);
      const lNode = tree.feature.length, rNode = lNode + 1;
      for (let k = 0; k < 2; k++) {
        tree.feature.push(-1);
        tree.threshold.push(0);
        tree.left.push(-1);
        tree.right.push(-1);
        tree.value.push(0);
        splitBin.push(0);
      }
      tree.feature[leaf.node] = feature;
      gains[feature]! += leaf.gain;
      tree.threshold[leaf.node] = edges[feature]![bin]!;
      tree.left[leaf.node] = lNode;
      tree.right[leaf.node] = rNode;
      splitBin[leaf.node] = bin;
      const depth = leaf.depth + 1;
      const left = newLeaf(leaf.start, w, depth, lNode), right = newLeaf(w, leaf.end, depth, rNode);
      childHistograms(leaf, left, right);
      consider(left);
      consider(right);
      leaves.splice(pick, 1, left, right);
    }
    for (const leaf of leaves) {
      release(leaf);
      let v: number;
      if (p.loss === "l1") {
        const res = new Float64Array(leaf.end - leaf.start);
        for (let k = leaf.start; k < leaf.end; k++) res[k - leaf.start] = y[order[k]!]! - pred[order[k]!]!;
        v = median(res);
      } else {
        let G = 0;
        for (let k = leaf.start; k < leaf.end; k++) G += grad[order[k]!]!;
        v = -G / (leaf.end - leaf.start + p.lambda);
      }
      tree.value[leaf.node] = p.learningRate * v;
    }
    trees.push(tree);
    treeGains.push(gains);

    // Every row moves by the new tree, the rows it was not fitted on as well; a bin at or below
    // the split bin is a value at or below the threshold, so routing by bins decides as X would.
    for (const leaf of leaves) {
      const v = tree.value[leaf.node]!;
      for (let k = leaf.start; k < leaf.end; k++) {
        const r = order[k]!;
        pred[r]! += v;
        placed[r] = round;
      }
    }
    const { feature, left, right, value } = tree;
    for (let i = 0; i < n; i++) {
      if (placed[i] === round) continue;
      let node = 0;
      while (feature[node]! >= 0) {
        node = bins[feature[node]! * n + i]! <= splitBin[node]! ? left[node]! : right[node]!;
      }
      pred[i]! += value[node]!;
    }
    const tl = meanLoss(0, nFit), vl = meanLoss(n - nValid, n);
    trainLoss.push(tl);
    validLoss.push(nValid ? vl : tl);
    onRound?.(round + 1, trainLoss.at(-1)!, validLoss.at(-1)!);
    if (validLoss.at(-1)! < bestValid - 1e-15) {
      bestValid = validLoss.at(-1)!;
      bestRound = round + 1;
    } else if (nValid && round + 1 - bestRound >= p.earlyStoppingRounds) break;
  }
  const kept = nValid ? Math.max(1, bestRound) : trees.length;
  const gain = new Array<number>(F).fill(0);
  for (const g of treeGains.slice(0, kept)) for (let f = 0; f < F; f++) gain[f]! += g[f]!;
  return {
    kind: "gbdt",
    base,
    trees: trees.slice(0, kept),
    params: p,
    rounds: kept,
    trainLoss,
    validLoss,
    gain,
  };
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
