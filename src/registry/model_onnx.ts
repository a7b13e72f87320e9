/**
 * Price models as ONNX, for onnxruntime-web: input `features` float [batch, F], output
 * `log_return` float [batch, 1]. Ridge is Sub(mean) → Div(std) → MatMul(w) → Add(intercept),
 * the standardisation inside the graph. GBDT is one `ai.onnx.ml` TreeEnsembleRegressor with
 * BRANCH_LEQ nodes, the split rule the trees were grown with. A blend sums its members' graphs,
 * each scaled by shrink / members (see `blendOnnx`). Pure, with no runtime: the training Worker
 * builds the bytes; an export is only kept when onnxruntime-web reproduces the TypeScript model's
 * predictions (`checkParity` in ./onnx_export.ts).
 */
import { DataType, encodeModel, floatTensor, node, valueInfo } from "../onnx/graph.ts";
import type { GbdtModel } from "../model/gbdt.ts";
import type { BlendModel, PriceModel } from "../model/models.ts";
import type { RidgeModel } from "../model/ridge.ts";

export const INPUT = "features";
export const OUTPUT = "log_return";

type Graph = { initializers: ReturnType<typeof floatTensor>[]; nodes: ReturnType<typeof node>[] };

/** Ridge as Sub → Div → MatMul → Add into `output`, its weights and intercept times `scale`. */
function ridgeGraph(m: RidgeModel, output: string, scale: number, prefix = ""): Graph {
  const F = m.weights.length;
  const at = (name: string) => prefix + name;
  return {
    initializers: [
      floatTensor(at("mean"), [F], m.mean),
      floatTensor(at("std"), [F], m.std),
      floatTensor(at("weights"), [F, 1], scale === 1 ? m.weights : m.weights.map((w) => w * scale)),
      floatTensor(at("intercept"), [1], [m.intercept * scale]),
    ],
    nodes: [
      node("Sub", [INPUT, at("mean")], [at("centred")]),
      node("Div", [at("centred"), at("std")], [at("standardised")]),
      node("MatMul", [at("standardised"), at("weights")], [at("weighted")]),
      node("Add", [at("weighted"), at("intercept")], [output]),
    ],
  };
}

/** Every tree of `models` in one TreeEnsembleRegressor into `output`, leaf values and bases times `scale`. */
function treesGraph(models: readonly GbdtModel[], output: string, scale: number): Graph {
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
  let ti = 0, base = 0;
  for (const m of models) {
    base += m.base;
    for (const t of m.trees) {
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
          a.targetWeight.push(t.value[ni]! * scale);
        }
      });
      ti++;
    }
  }
  const floats = ["nodes_values", "target_weights", "base_values"];
  return {
    initializers: [],
    nodes: [
      node("TreeEnsembleRegressor", [INPUT], [output], {
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
        base_values: Float32Array.from([base * scale]),
        aggregate_function: "SUM",
        post_transform: "NONE",
      }, { domain: "ai.onnx.ml", floatAttrs: floats }),
    ],
  };
}

function priceModel(name: string, F: number, graph: Graph, doc: string, metadata: Record<string, string>) {
  return encodeModel({
    name,
    docString: doc,
    metadata,
    opsets: graph.nodes.some((n) => n.domain === "ai.onnx.ml") ? { "": 13, "ai.onnx.ml": 3 } : { "": 13 },
    inputs: [valueInfo(INPUT, DataType.FLOAT, ["batch", F])],
    outputs: [valueInfo(OUTPUT, DataType.FLOAT, ["batch", 1])],
    initializers: graph.initializers,
    nodes: graph.nodes,
  });
}

export function ridgeOnnx(m: RidgeModel, doc: string, metadata: Record<string, string>): Uint8Array {
  return priceModel("ridge_log_return", m.weights.length, ridgeGraph(m, OUTPUT, 1), doc, metadata);
}

export function gbdtOnnx(m: GbdtModel, F: number, doc: string, metadata: Record<string, string>): Uint8Array {
  return priceModel("gbdt_log_return", F, treesGraph([m], OUTPUT, 1), doc, metadata);
}

/**
 * A blend: shrink × the mean of its members, folded into the members' own numbers (ridge weights
 * and intercepts, tree leaf values and bases times shrink / members), their outputs summed. All its
 * trees go into one TreeEnsembleRegressor, so a blend of GBDTs costs one tree walk per tree.
 */
export function blendOnnx(
  m: BlendModel,
  F: number,
  doc: string,
  metadata: Record<string, string>,
): Uint8Array {
  const scale = m.shrink / m.members.length;
  const graph: Graph = { initializers: [], nodes: [] };
  const outputs: string[] = [];
  const add = (g: Graph, output: string) => {
    graph.initializers.push(...g.initializers);
    graph.nodes.push(...g.nodes);
    outputs.push(output);
  };
  m.members.forEach((member, j) => {
    if (member.kind === "ridge") add(ridgeGraph(member, `ridge${j}`, scale, `ridge${j}_`), `ridge${j}`);
  });
  const trees = m.members.filter((member): member is GbdtModel => member.kind === "gbdt");
  if (trees.length) add(treesGraph(trees, "trees", scale), "trees");
  graph.nodes.push(node("Sum", outputs, [OUTPUT]));
  return priceModel("blend_log_return", F, graph, doc, metadata);
}

/** The ONNX graph of any price model. */
export function modelOnnx(
  m: PriceModel,
  F: number,
  doc: string,
  metadata: Record<string, string>,
): Uint8Array {
  if (m.kind === "ridge") return ridgeOnnx(m, doc, metadata);
  if (m.kind === "gbdt") return gbdtOnnx(m, F, doc, metadata);
  return blendOnnx(m, F, doc, metadata);
}
