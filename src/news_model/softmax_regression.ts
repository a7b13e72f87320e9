/**
 * Multinomial logistic regression over bags of token ids: logits = Σ W[id] + b, the linear model
 * the exported ONNX graph computes (Gather, mask, ReduceSum, Add). Trained full-batch with Adam
 * on the class-weighted mean cross-entropy plus an L2 penalty pulling W towards a prior (zero,
 * or a lexicon's word scores); the loss is convex and the weights start at the prior, so training
 * is deterministic.
 */

/** One example: its token ids (repeats count) and class. */
export interface BagExample {
  ids: readonly number[];
  label: number;
}

export interface SoftmaxModel {
  vocabSize: number;
  classes: number;
  /** Row-major [vocabSize, classes]. */
  W: Float32Array;
  b: Float32Array;
}

export interface TrainOptions {
  classes: number;
  vocabSize: number;
  /** L2 strength on W. */
  l2: number;
  /** Weight classes inversely to their frequency (better macro-F1 on skewed labels). */
  balanced: boolean;
  epochs?: number;
  learningRate?: number;
  /** Row-major [vocabSize, classes] weights the L2 penalty pulls towards; zero when absent. */
  prior?: Float32Array | undefined;
}

export function logits(model: SoftmaxModel, ids: readonly number[]): Float64Array {
  const C = model.classes;
  const z = Float64Array.from(model.b);
  for (const id of ids) {
    for (let c = 0; c < C; c++) z[c]! += model.W[id * C + c]!;
  }
  return z;
}

export function softmax(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  const p = z.map((v) => Math.exp(v - max));
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / sum);
}

export function predict(model: SoftmaxModel, ids: readonly number[]): number {
  const z = logits(model, ids);
  let best = 0;
  for (let c = 1; c < z.length; c++) if (z[c]! > z[best]!) best = c;
  return best;
}

export function classWeights(labels: readonly number[], classes: number, balanced: boolean): Float64Array {
  const w = new Float64Array(classes).fill(1);
  if (!balanced) return w;
  const counts = new Float64Array(classes);
  for (const y of labels) counts[y]!++;
  const present = counts.filter((n) => n > 0).length;
  for (let c = 0; c < classes; c++) w[c] = counts[c]! > 0 ? labels.length / (present * counts[c]!) : 0;
  return w;
}

/** The training objective (for tests: it must fall). */
export function loss(model: SoftmaxModel, data: readonly BagExample[], opts: TrainOptions): number {
  const cw = classWeights(data.map((d) => d.label), opts.classes, opts.balanced);
  let total = 0;
  for (const d of data) {
    total -= cw[d.label]! * Math.log(Math.max(softmax(logits(model, d.ids))[d.label]!, 1e-300));
  }
  let l2 = 0;
  model.W.forEach((w, i) => l2 += (w - (opts.prior?.[i] ?? 0)) ** 2);
  return total / data.length + 0.5 * opts.l2 * l2;
}

export function train(data: readonly BagExample[], opts: TrainOptions): SoftmaxModel {
  const { classes: C, vocabSize: V, l2 } = opts;
  const epochs = opts.epochs ?? 400;
  const lr = opts.learningRate ?? 0.05;
  const model: SoftmaxModel = {
    vocabSize: V,
    classes: C,
    W: new Float32Array(V * C),
    b: new Float32Array(C),
  };
  if (data.length === 0) throw new Error("no training examples");
  const cw = classWeights(data.map((d) => d.label), C, opts.balanced);
  const n = data.length;
  // Parameters in float64 while training; Adam moments alongside.
  const prior = opts.prior ?? new Float32Array(V * C);
  if (prior.length !== V * C) throw new Error(`prior has ${prior.length} weights, not ${V * C}`);
  const W = Float64Array.from(prior), b = new Float64Array(C);
  const gW = new Float64Array(V * C), gb = new Float64Array(C);
  const mW = new Float64Array(V * C), vW = new Float64Array(V * C);
  const mb = new Float64Array(C), vb = new Float64Array(C);
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  const z = new Float64Array(C);
  for (let t = 1; t <= epochs; t++) {
    gW.fill(0);
    gb.fill(0);
    for (const d of data) {
      z.set(b);
      for (const id of d.ids) for (let c = 0; c < C; c++) z[c]! += W[id * C + c]!;
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, z[c]!);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += z[c] = Math.exp(z[c]! - max);
      const scale = cw[d.label]! / n;
      for (let c = 0; c < C; c++) {
        const g = scale * (z[c]! / sum - (c === d.label ? 1 : 0));
        gb[c]! += g;
        for (const id of d.ids) gW[id * C + c]! += g;
      }
    }
    for (let i = 0; i < W.length; i++) gW[i]! += l2 * (W[i]! - prior[i]!);
    const c1 = 1 - beta1 ** t, c2 = 1 - beta2 ** t;
    for (let i = 0; i < W.length; i++) {
      mW[i] = beta1 * mW[i]! + (1 - beta1) * gW[i]!;
      vW[i] = beta2 * vW[i]! + (1 - beta2) * gW[i]! * gW[i]!;
      W[i]! -= lr * (mW[i]! / c1) / (Math.sqrt(vW[i]! / c2) + eps);
    }
    for (let c = 0; c < C; c++) {
      mb[c] = beta1 * mb[c]! + (1 - beta1) * gb[c]!;
      vb[c] = beta2 * vb[c]! + (1 - beta2) * gb[c]! * gb[c]!;
      b[c]! -= lr * (mb[c]! / c1) / (Math.sqrt(vb[c]! / c2) + eps);
    }
  }
  model.W.set(W);
  model.b.set(b);
  return model;
}
