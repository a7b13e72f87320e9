/**
 * What the distilled classifier reads of a headline beyond its words, computed from the token ids
 * the tokenizer gives, so the exported ONNX graph (./bow_onnx.ts) can compute the same from the
 * `input_ids` transformers.js hands it, and the model still loads as a text-classification model:
 * - negation: a word within `negationWindow` tokens after a negator ("not", "no", "never", the
 *   "t" of "won't" ...) is read as its negated twin, a weight row of its own (whose lexicon prior
 *   is the word's, flipped);
 * - word bigrams: a pair of adjacent token ids seen in at least `minCount` training headlines
 *   has a weight row, found through an open hash table (slot = key mod slots, the key checked so
 *   an unseen pair that lands on a taken slot adds nothing). Of two pairs on one slot the more
 *   frequent keeps it.
 * Weight rows, in order: the V words, the V negated words (when negation is on), the bigrams.
 */

/** The words read as negating what follows them (as BERT's pre-tokeniser splits them). */
export const NEGATORS = [
  "not",
  "no",
  "never",
  "nor",
  "neither",
  "without",
  "cannot",
  "t", // don't, won't, can't, isn't ... split as "don" "'" "t"
  "fail",
  "fails",
  "failed",
  "denies",
  "denied",
  "rejects",
  "rejected",
  "against",
] as const;

export interface BigramTable {
  /** Hash slots: a power of two at least four times the bigrams. */
  slots: number;
  /** Slot → bigram row + 1, 0 when empty. */
  slotRow: Int32Array;
  /** Row + 1 → key (`left · V + right`); entry 0 is −1, a key no pair has. */
  keys: number[];
}

export interface FeatureSpec {
  /** Words in the vocabulary (token ids are below it). */
  vocabSize: number;
  /** Token ids of the negators in the vocabulary. */
  negators: number[];
  /** Tokens after a negator read as negated; 0 turns negation off. */
  negationWindow: number;
  bigrams: BigramTable;
}

/** Weight rows of a spec: words, negated words, bigrams. */
export function featureRows(spec: FeatureSpec): number {
  return spec.vocabSize * (spec.negationWindow > 0 ? 2 : 1) + spec.bigrams.keys.length - 1;
}

/** The row of the first bigram. */
export function bigramOffset(spec: FeatureSpec): number {
  return spec.vocabSize * (spec.negationWindow > 0 ? 2 : 1);
}

export const NO_BIGRAMS: BigramTable = { slots: 1, slotRow: new Int32Array(1), keys: [-1] };

/**
 * The bigrams of `headlines` (token id lists) in at least `minCount` of them, at most `max` (the
 * most frequent), in their hash table. `minCount` 0 means none.
 */
export function buildBigrams(
  headlines: readonly (readonly number[])[],
  vocabSize: number,
  minCount: number,
  max: number,
): BigramTable {
  if (minCount <= 0 || max <= 0) return NO_BIGRAMS;
  const counts = new Map<number, number>();
  for (const ids of headlines) {
    const once = new Set<number>();
    for (let i = 0; i + 1 < ids.length; i++) once.add(ids[i]! * vocabSize + ids[i + 1]!);
    for (const k of once) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const chosen = [...counts].filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, max)
    .map(([k]) => k);
  if (chosen.length === 0) return NO_BIGRAMS;
  let slots = 1;
  while (slots < 4 * chosen.length) slots *= 2;
  const slotRow = new Int32Array(slots);
  const keys = [-1];
  for (const key of chosen) {
    const slot = key % slots;
    if (slotRow[slot] !== 0) continue;
    keys.push(key);
    slotRow[slot] = keys.length - 1;
  }
  return { slots, slotRow, keys };
}

/** The row + 1 of the bigram (left, right), or 0. */
export function bigramRow(table: BigramTable, vocabSize: number, left: number, right: number): number {
  const key = left * vocabSize + right;
  const row = table.slotRow[key % table.slots]!;
  return table.keys[row] === key ? row : 0;
}

/**
 * The weight rows a headline's token ids select (repeats count): each token's word (or negated
 * word) row, then each known bigram's row.
 */
export function featureIds(spec: FeatureSpec, ids: readonly number[]): number[] {
  const V = spec.vocabSize;
  const negators = new Set(spec.negators);
  const out: number[] = [];
  let lastNegator = -Infinity;
  ids.forEach((id, i) => {
    out.push(i - lastNegator <= spec.negationWindow ? id + V : id);
    if (negators.has(id)) lastNegator = i;
  });
  const offset = bigramOffset(spec) - 1;
  for (let i = 0; i + 1 < ids.length; i++) {
    const row = bigramRow(spec.bigrams, V, ids[i]!, ids[i + 1]!);
    if (row > 0) out.push(offset + row);
  }
  return out;
}
