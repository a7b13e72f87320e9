/**
 * The distilled classifier as an ONNX graph with the inputs and output transformers.js gives and
 * expects of a sequence classifier: `input_ids` and `attention_mask` [batch, seq] → `logits`
 * [batch, classes]. It is the linear model over the rows ./bag_features.ts describes, computed
 * from the token ids inside the graph:
 * - negation: a table marks the negators; the mark, shifted right by 1..window and maxed, says
 *   which tokens are negated, and those read row `id + V` instead of `id`;
 * - bigrams: `left · V + right` of adjacent ids, mod the slots, through the slot table to a row,
 *   whose stored key must equal the pair's (else the pair is unknown and adds nothing);
 * each row's weights masked by the attention mask, summed over the sequence, plus the bias.
 */
import { DataType, encodeModel, floatTensor, int64Tensor, node, valueInfo } from "../onnx/graph.ts";
import { bigramOffset, type FeatureSpec } from "./bag_features.ts";
import type { SoftmaxModel } from "./softmax_regression.ts";

/** Slice's "to the end". */
const END = Number.MAX_SAFE_INTEGER;

export function bagOfWordsOnnx(model: SoftmaxModel, spec: FeatureSpec, doc: string): Uint8Array {
  const C = model.classes;
  const V = spec.vocabSize;
  const wordRows = bigramOffset(spec);
  const { slots, slotRow, keys } = spec.bigrams;
  const window = spec.negationWindow;
  const initializers = [
    floatTensor("word_weights", [wordRows, C], model.W.subarray(0, wordRows * C)),
    floatTensor("bias", [C], model.b),
    int64Tensor("axis_last", [1], [2]),
    int64Tensor("axis_sequence", [1], [1]),
  ];
  const nodes = [
    node("Cast", ["attention_mask"], ["mask"], { to: DataType.FLOAT }),
    node("Unsqueeze", ["mask", "axis_last"], ["mask_3d"]),
  ];

  let wordIds = "input_ids";
  if (window > 0) {
    const isNegator = new Float32Array(V);
    for (const id of spec.negators) isNegator[id] = 1;
    initializers.push(
      floatTensor("negator_table", [V], isNegator),
      int64Tensor("negation_pads", [4], [0, window, 0, 0]),
      int64Tensor("vocab_size", [], [V]),
    );
    nodes.push(
      node("Gather", ["negator_table", "input_ids"], ["negator"], { axis: 0 }),
      node("Pad", ["negator", "negation_pads"], ["negator_padded"]),
    );
    const shifted: string[] = [];
    for (let k = 1; k <= window; k++) {
      // negator_padded[:, window - k : -k] is the mark k tokens back.
      initializers.push(
        int64Tensor(`shift_${k}_start`, [1], [window - k]),
        int64Tensor(`shift_${k}_end`, [1], [-k]),
      );
      nodes.push(
        node("Slice", ["negator_padded", `shift_${k}_start`, `shift_${k}_end`, "axis_sequence"], [
          `back_${k}`,
        ]),
      );
      shifted.push(`back_${k}`);
    }
    nodes.push(
      node("Max", shifted, ["negated"]),
      node("Cast", ["negated"], ["negated_int"], { to: DataType.INT64 }),
      node("Mul", ["negated_int", "vocab_size"], ["negation_offset"]),
      node("Add", ["input_ids", "negation_offset"], ["word_ids"]),
    );
    wordIds = "word_ids";
  }
  nodes.push(
    node("Gather", ["word_weights", wordIds], ["word_logits"], { axis: 0 }),
    node("Mul", ["word_logits", "mask_3d"], ["masked_word_logits"]),
    node("ReduceSum", ["masked_word_logits", "axis_sequence"], ["word_sum"], { keepdims: 0 }),
  );

  let sum = "word_sum";
  if (keys.length > 1) {
    const rows = new Float32Array(keys.length * C);
    rows.set(model.W.subarray(wordRows * C, (wordRows + keys.length - 1) * C), C);
    initializers.push(
      floatTensor("bigram_weights", [keys.length, C], rows),
      int64Tensor("bigram_keys", [keys.length], keys),
      int64Tensor("bigram_slot_row", [slots], [...slotRow]),
      int64Tensor("bigram_slots", [], [slots]),
      int64Tensor("vocab_size_bigram", [], [V]),
      int64Tensor("from_start", [1], [0]),
      int64Tensor("from_second", [1], [1]),
      int64Tensor("to_last", [1], [-1]),
      int64Tensor("to_end", [1], [END]),
    );
    nodes.push(
      node("Slice", ["input_ids", "from_start", "to_last", "axis_sequence"], ["left_ids"]),
      node("Slice", ["input_ids", "from_second", "to_end", "axis_sequence"], ["right_ids"]),
      node("Mul", ["left_ids", "vocab_size_bigram"], ["left_scaled"]),
      node("Add", ["left_scaled", "right_ids"], ["bigram_key"]),
      node("Mod", ["bigram_key", "bigram_slots"], ["bigram_slot"]),
      node("Gather", ["bigram_slot_row", "bigram_slot"], ["bigram_row"], { axis: 0 }),
      node("Gather", ["bigram_keys", "bigram_row"], ["stored_key"], { axis: 0 }),
      node("Equal", ["stored_key", "bigram_key"], ["bigram_hit"]),
      node("Cast", ["bigram_hit"], ["bigram_hit_float"], { to: DataType.FLOAT }),
      node("Slice", ["mask", "from_start", "to_last", "axis_sequence"], ["left_mask"]),
      node("Slice", ["mask", "from_second", "to_end", "axis_sequence"], ["right_mask"]),
      node("Mul", ["left_mask", "right_mask"], ["pair_mask"]),
      node("Mul", ["pair_mask", "bigram_hit_float"], ["bigram_mask"]),
      node("Unsqueeze", ["bigram_mask", "axis_last"], ["bigram_mask_3d"]),
      node("Gather", ["bigram_weights", "bigram_row"], ["bigram_logits"], { axis: 0 }),
      node("Mul", ["bigram_logits", "bigram_mask_3d"], ["masked_bigram_logits"]),
      node("ReduceSum", ["masked_bigram_logits", "axis_sequence"], ["bigram_sum"], { keepdims: 0 }),
      node("Add", ["word_sum", "bigram_sum"], ["feature_sum"]),
    );
    sum = "feature_sum";
  }
  nodes.push(node("Add", [sum, "bias"], ["logits"]));

  return encodeModel({
    name: "bag_of_words_classifier",
    docString: doc,
    inputs: [
      valueInfo("input_ids", DataType.INT64, ["batch", "sequence"]),
      valueInfo("attention_mask", DataType.INT64, ["batch", "sequence"]),
    ],
    outputs: [valueInfo("logits", DataType.FLOAT, ["batch", C])],
    initializers,
    nodes,
  });
}
