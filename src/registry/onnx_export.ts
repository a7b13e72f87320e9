/**
 * Price models as ONNX, for onnxruntime-web: input `features` float [batch, F], output
 * `log_return` float [batch, 1]. Ridge is Sub(mean) → Div(std) → MatMul(w) → Add(intercept),
 * the standardisation inside the graph. GBDT is one `ai.onnx.ml` TreeEnsembleRegressor with
 * BRANCH_LEQ nodes, the split rule the trees were grown with. An export is only kept when
 * onnxruntime-web reproduces the TypeScript model's predictions (see `checkParity`).
 */
import { DataType, encodeModel, floatTensor, node, valueInfo } from "../onnx/graph.ts";
import { openSession, ort } from "../onnx/runtime.ts";
import type { GbdtModel } from "../model/gbdt.ts";
import type { RidgeModel } from "../model/ridge.ts";

export const INPUT = "features";
export const OUTPUT = "log_return";

export function ridgeOnnx(m: RidgeModel, doc: string, metadata: Record<string, string>): Uint8Array {
  const F = m.weights.length;
  return encodeModel({
    name: "ridge_log_return",
    docString: doc,
    metadata,
    inputs: [valueInfo(INPUT, DataType.FLOAT, ["batch", F])],
    outputs: [valueInfo(OUTPUT, DataType.FLOAT, ["batch", 1])],
    initializers: [
      floatTensor("mean", [F], m.mean),
      floatTensor("std", [F], m.std),
      floatTensor("weights", [F, 1], m.weights),
      floatTensor("intercept", [1], [m.intercept]),
    ],
    nodes: [
      node("Sub", [INPUT, "mean"], ["centred"]),
      node("Div", ["centred", "std"], ["standardised"]),
      node("MatMul", ["standardised", "weights"], ["weighted"]),
      node("Add", ["weighted", "intercept"], [OUTPUT]),
    ],
  });
}

export function gbdtOnnx(m: GbdtModel, F: number, doc: string, metadata: Record<string, string>): Uint8Array {
  const a = {
    treeids: [] as number[],
    nodeids: [] as number[],
    featureids: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    trues: [] as number[],
    falses: [] as number[],
    targetTree: [] as number[],
    targetNode: [] as number[],
    targetWeight: [] as number[],
  };
  m.trees.forEach((t, ti) => {
    t.feature.forEach((f, ni) => {
      a.treeids.push(ti);
      a.nodeids.push(ni);
      const leaf = f < 0;
      a.featureids.push(leaf ? 0 : f);
      a.modes.push(leaf ? "LEAF" : "BRANCH_LEQ");
      a.values.push(leaf ? 0 : t.threshold[ni]!);
      a.trues.push(leaf ? 0 : t.left[ni]!);
      a.falses.push(leaf ? 0 : t.right[ni]!);
      if (leaf) {
        a.targetTree.push(ti);
        a.targetNode.push(ni);
        a.targetWeight.push(t.value[ni]!);
      }
    });
  });
  const floats = ["nodes_values", "target_weights", "base_values"];
  return encodeModel({
    name: "gbdt_log_return",
    docString: doc,
    metadata,
    opsets: { "": 13, "ai.onnx.ml": 3 },
    inputs: [valueInfo(INPUT, DataType.FLOAT, ["batch", F])],
    outputs: [valueInfo(OUTPUT, DataType.FLOAT, ["batch", 1])],
    initializers: [],
    nodes: [
      node("TreeEnsembleRegressor", [INPUT], [OUTPUT], {
        n_targets: 1,
        nodes_treeids: a.treeids,
        nodes_nodeids: a.nodeids,
        nodes_featureids: a.featureids,
        nodes_modes: a.modes,
        nodes_values: Float32Array.from(a.values),
        nodes_truenodeids: a.trues,
        nodes_falsenodeids: a.falses,
        target_ids: a.targetTree.map(() => 0),
        target_treeids: a.targetTree,
        target_nodeids: a.targetNode,
        target_weights: Float32Array.from(a.targetWeight),
        base_values: Float32Array.from([m.base]),
        aggregate_function: "SUM",
        post_transform: "NONE",
      }, { domain: "ai.onnx.ml", floatAttrs: floats }),
    ],
  });
}

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
