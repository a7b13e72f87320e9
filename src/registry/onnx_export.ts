/**
 * Running the exported price models (./model_onnx.ts builds them) with onnxruntime-web, and the
 * parity check an export must pass before it is kept.
 */
import { openSession, ort } from "../onnx/runtime.ts";
import { INPUT, OUTPUT } from "./model_onnx.ts";

export { blendOnnx, gbdtOnnx, INPUT, modelOnnx, OUTPUT, ridgeOnnx } from "./model_onnx.ts";

/** Runs an ONNX price model on rows `X` (row-major [n, F]). */
export async function runOnnx(
  session: ort.InferenceSession,
  X: Float64Array,
  n: number,
  F: number,
): Promise<Float32Array> {
  const out = await session.run({
    [INPUT]: new ort.Tensor("float32", Float32Array.from(X.subarray(0, n * F)), [n, F]),
  });
  return out[OUTPUT]!.data as Float32Array;
}

export class ParityError extends Error {
  override name = "ParityError";
}

/**
 * The exported model, run by onnxruntime-web, must give the TypeScript model's predictions:
 * |onnx − ts| ≤ 1e-5 × max(|ts|, mean |ts|) on every row (relative, with the typical size of a
 * prediction as the floor, since a predicted return can be ~0).
 */
export async function checkParity(
  bytes: Uint8Array,
  X: Float64Array,
  n: number,
  F: number,
  expected: Float64Array,
): Promise<{ maxAbsDiff: number; maxRelDiff: number }> {
  const session = await openSession(bytes, "the exported model");
  try {
    const got = await runOnnx(session, X, n, F);
    let scale = 0;
    for (let i = 0; i < n; i++) scale += Math.abs(expected[i]!) / n;
    let maxAbsDiff = 0, maxRelDiff = 0;
    for (let i = 0; i < n; i++) {
      const d = Math.abs(got[i]! - expected[i]!);
      const rel = d / Math.max(Math.abs(expected[i]!), scale, 1e-30);
      maxAbsDiff = Math.max(maxAbsDiff, d);
      if (rel > maxRelDiff) maxRelDiff = rel;
      if (!(rel <= 1e-5)) {
        throw new ParityError(
          `ONNX export disagrees with the trained model on row ${i}: ${got[i]} vs ${expected[i]} (relative ${
            rel.toExponential(2)
          })`,
        );
      }
    }
    return { maxAbsDiff, maxRelDiff };
  } finally {
    await session.release();
  }
}
