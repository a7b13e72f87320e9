/**
 * The distilled classifier's vocabulary and its tokenizer files, in the Hugging Face
 * `tokenizers` format that transformers.js loads: BERT normalisation (lower case, accents
 * stripped) and pre-tokenisation (whitespace and punctuation), then WordPiece over a vocabulary
 * of whole words and, with inflections, a few endings ({@linkcode SUFFIXES}); any other word
 * outside it is one `[UNK]`. With number shapes, every run of
 * digits is read as `0` first, so "$26M" is "$" "0m" and "10%" is "0" "%": the shape of a number
 * (a magnitude's letter, a percentage) is what generalises, not the amount.
 */

export const PAD = "[PAD]";
export const UNK = "[UNK]";

/** What the number-shape normaliser makes of a text: each run of ASCII digits becomes `0`. */
export function numberShape(text: string): string {
  return text.replace(/[0-9]+/g, "0");
}

/** The words BERT's normaliser and pre-tokeniser make of a text (used to count the vocabulary). */
export function basicTokens(text: string): string[] {
  const clean = text
    .normalize("NFD")
    .replace(/\p{Mn}/gu, "")
    .toLowerCase()
    .replace(/[\ufffd\p{Cc}]/gu, " ");
  return clean.match(/[\p{L}\p{N}\p{M}]+|[^\s\p{L}\p{N}\p{M}]/gu) ?? [];
}

/**
 * Inflection endings, as WordPiece continuation pieces: a word outside the vocabulary whose stem
 * is in it reads as the stem and its ending ("crashes" is "crash" "##es"), so the inflections of
 * a word share its weight instead of each being one `[UNK]`.
 */
export const SUFFIXES = ["s", "es", "ed", "d", "ing", "er", "ers", "ly"] as const;

/** The stems a word may be read as: the word less each ending it has, leaving three letters or more. */
export function stemsOf(word: string): string[] {
  return SUFFIXES.filter((e) => word.length - e.length >= 3 && word.endsWith(e))
    .map((e) => word.slice(0, -e.length));
}

/**
 * Words seen at least `minCount` times, most frequent first (ties alphabetical), at most
 * `maxSize`, after the two special tokens; then the `extra` words not already in. With
 * `inflections`, a word's uses count for its stems too ({@linkcode stemsOf}), and the endings
 * follow as `##` pieces.
 */
export function buildVocab(
  texts: Iterable<string>,
  minCount: number,
  maxSize: number,
  extra: Iterable<string> = [],
  { inflections = false } = {},
): string[] {
  const counts = new Map<string, number>();
  const add = (t: string) => counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const text of texts) {
    for (const t of basicTokens(text)) {
      add(t);
      if (inflections) { for (const stem of stemsOf(t)) add(stem); }
    }
  }
  const words = [...counts].filter(([w, n]) => n >= minCount && w.length <= 100)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxSize)
    .map(([w]) => w);
  const known = new Set(words);
  for (const w of extra) if (!known.has(w)) known.add(w) && words.push(w);
  const pieces = inflections ? SUFFIXES.map((e) => `##${e}`) : [];
  return [PAD, UNK, ...words, ...pieces];
}

function special(id: number, content: string) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

const BERT_NORMALIZER = {
  type: "BertNormalizer",
  clean_text: true,
  handle_chinese_chars: true,
  strip_accents: true,
  lowercase: true,
};

/** `tokenizer.json` and `tokenizer_config.json` for a vocabulary (`numberShapes`: see the module doc). */
export function tokenizerFiles(vocab: readonly string[], maxLength: number, { numberShapes = false } = {}): {
  tokenizer: Record<string, unknown>;
  config: Record<string, unknown>;
} {
  return {
    tokenizer: {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: [special(0, PAD), special(1, UNK)],
      normalizer: numberShapes
        ? {
          type: "Sequence",
          normalizers: [{ type: "Replace", pattern: { Regex: "[0-9]+" }, content: "0" }, BERT_NORMALIZER],
        }
        : BERT_NORMALIZER,
      pre_tokenizer: { type: "BertPreTokenizer" },
      post_processor: null,
      decoder: { type: "WordPiece", prefix: "##", cleanup: true },
      model: {
        type: "WordPiece",
        unk_token: UNK,
        continuing_subword_prefix: "##",
        max_input_chars_per_word: 100,
        vocab: Object.fromEntries(vocab.map((w, i) => [w, i])),
      },
    },
    config: {
      tokenizer_class: "BertTokenizer",
      model_max_length: maxLength,
      do_lower_case: true,
      pad_token: PAD,
      unk_token: UNK,
      clean_up_tokenization_spaces: true,
    },
  };
}
