/**
 * Ridge regression on standardised features: w = (ZᵀZ + λI)⁻¹ Zᵀ(y − ȳ) with Z the features
 * standardised by the training means and deviations, solved by Cholesky. A feature constant on
 * the training rows gets deviation 1, so it contributes nothing instead of dividing by zero.
 */

export interface RidgeModel {
  kind: "ridge";
  mean: number[];
  std: number[];
  weights: number[];
  intercept: number;
  lambda: number;
}

export function fitRidge(X: Float64Array, y: Float64Array, n: number, F: number, lambda: number): RidgeModel {
  if (n === 0) throw new Error("no training rows");
  const mean = new Array<number>(F).fill(0), std = new Array<number>(F).fill(0);
  for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) mean[f]! += X[i * F + f]!;
  for (let f = 0; f < F; f++) mean[f]! /= n;
  for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) std[f]! += (X[i * F + f]! - mean[f]!) ** 2;
  for (let f = 0; f < F; f++) {
    const s = Math.sqrt(std[f]! / n);
    std[f] = s > 1e-12 ? s : 1;
  }
  let ym = 0;
  for (let i = 0; i < n; i++) ym += y[i]!;
  ym /= n;
  // Normal equations on standardised features, in the scale of mean squares (λ per row).
  const A = new Float64Array(F * F), b = new Float64Array(F), z = new Float64Array(F);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) z[f] = (X[i * F + f]! - mean[f]!) / std[f]!;
    const r = y[i]! - ym;
    for (let f = 0; f < F; f++) {
      b[f]! += z[f]! * r;
      const zf = z[f]!;
      for (let g = 0; g <= f; g++) A[f * F + g]! += zf * z[g]!;
    }
  }
  for (let f = 0; f < F; f++) {
    for (let g = 0; g < f; g++) A[g * F + f] = A[f * F + g]!;
    A[f * F + f]! += lambda * n;
  }
  const weights = [...choleskySolve(A, b, F)];
  return { kind: "ridge", mean, std, weights, intercept: ym, lambda };
}

export function predictRidge(m: RidgeModel, X: Float64Array, n: number, F: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = m.intercept;
    for (let f = 0; f < F; f++) s += ((X[i * F + f]! - m.mean[f]!) / m.std[f]!) * m.weights[f]!;
    out[i] = s;
  }
  return out;
}

/** Solves A x = b for symmetric positive definite A (row-major F×F). */
export function choleskySolve(A: Float64Array, b: Float64Array, F: number): Float64Array {
  const L = new Float64Array(F * F);
  for (let i = 0; i < F; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * F + j]!;
      for (let k = 0; k < j; k++) s -= L[i * F + k]! * L[j * F + k]!;
      if (i === j) {
        if (s <= 0) throw new Error("the normal equations are not positive definite (raise lambda)");
        L[i * F + i] = Math.sqrt(s);
      } else L[i * F + j] = s / L[j * F + j]!;
    }
  }
  const x = new Float64Array(F);
  for (let i = 0; i < F; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * F + k]! * x[k]!;
    x[i] = s / L[i * F + i]!;
  }
  for (let i = F - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < F; k++) s -= L[k * F + i]! * x[k]!;
    x[i] = s / L[i * F + i]!;
  }
  return x;
}
