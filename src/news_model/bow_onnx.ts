/**
 * The distilled classifier as an ONNX graph with the inputs and output transformers.js gives and
 * expects of a sequence classifier: `input_ids` and `attention_mask` [batch, seq] → `logits`
 * [batch, classes]. It is the bag-of-words linear model: the weight rows of the tokens present,
 * masked, summed, plus the bias.
 */
import { DataType, encodeModel, floatTensor, int64Tensor, node, valueInfo } from "../onnx/graph.ts";
import type { SoftmaxModel } from "./softmax_regression.ts";

export function bagOfWordsOnnx(model: SoftmaxModel, doc: string): Uint8Array {
  const C = model.classes;
  return encodeModel({
    name: "bag_of_words_classifier",
    docString: doc,
    inputs: [
      valueInfo("input_ids", DataType.INT64, ["batch", "sequence"]),
      valueInfo("attention_mask", DataType.INT64, ["batch", "sequence"]),
    ],
    outputs: [valueInfo("logits", DataType.FLOAT, ["batch", C])],
    initializers: [
      floatTensor("weights", [model.vocabSize, C], model.W),
      floatTensor("bias", [C], model.b),
      int64Tensor("axis_last", [1], [2]),
      int64Tensor("axis_sequence", [1], [1]),
    ],
    nodes: [
      node("Gather", ["weights", "input_ids"], ["token_logits"], { axis: 0 }),
      node("Cast", ["attention_mask"], ["mask"], { to: DataType.FLOAT }),
      node("Unsqueeze", ["mask", "axis_last"], ["mask_3d"]),
      node("Mul", ["token_logits", "mask_3d"], ["masked_logits"]),
      node("ReduceSum", ["masked_logits", "axis_sequence"], ["summed"], { keepdims: 0 }),
      node("Add", ["summed", "bias"], ["logits"]),
    ],
  });
}
