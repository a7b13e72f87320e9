/**
 * The distilled model's ONNX graph run by transformers.js must compute what the TypeScript
 * features compute: negated words, bigrams found through the hash table (and a pair on a taken
 * slot ignored), number shapes in the tokenizer, padding in a batch and truncation.
 */
import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import {
  buildBigrams,
  featureIds,
  featureRows,
  type FeatureSpec,
} from "../../src/news_model/bag_features.ts";
import { bagOfWordsOnnx } from "../../src/news_model/bow_onnx.ts";
import { logits, softmax, type SoftmaxModel } from "../../src/news_model/softmax_regression.ts";
import { LABELS } from "../../src/news_model/teacher_data.ts";
import { AutoTokenizer, configureFor, pipeline } from "../../src/news_model/transformers_env.ts";
import { buildVocab, tokenizerFiles } from "../../src/news_model/vocab.ts";
import { prng } from "../helpers.ts";

const VOCAB = [
  "[PAD]",
  "[UNK]",
  "bitcoin",
  "not",
  "good",
  "bad",
  "rally",
  "crash",
  "no",
  "news",
  "t",
  "won",
  "'",
  "0m",
];
const MAX_LENGTH = 12;

Deno.test("bag-of-words ONNX: transformers.js gives the probabilities of the TypeScript features", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/onnx`);
    const files = tokenizerFiles(VOCAB, MAX_LENGTH, { numberShapes: true });
    await Deno.writeTextFile(`${dir}/tokenizer.json`, JSON.stringify(files.tokenizer));
    await Deno.writeTextFile(`${dir}/tokenizer_config.json`, JSON.stringify(files.config));
    await Deno.writeTextFile(
      `${dir}/config.json`,
      JSON.stringify({
        model_type: "bert",
        architectures: ["BertForSequenceClassification"],
        id2label: Object.fromEntries(LABELS.map((l, i) => [String(i), l])),
        label2id: Object.fromEntries(LABELS.map((l, i) => [l, i])),
      }),
    );
    const { id } = await configureFor(dir, "");
    const tokenizer = await AutoTokenizer.from_pretrained(id);
    const encode = (h: string) => (tokenizer.encode(h) as number[]).slice(0, MAX_LENGTH);

    const headlines = [
      "Bitcoin rally",
      "not good news",
      "Bitcoin won't crash, good news",
      "no",
      "$26M bitcoin rally", // number shape: "0m"
      "bad " + "good ".repeat(30), // truncated to MAX_LENGTH tokens
      "Bitcoin xyzzy rally", // an unknown word
    ];
    const bigrams = buildBigrams(headlines.map(encode), VOCAB.length, 1, 100);
    assert(bigrams.keys.length > 5, "the headlines give bigrams");
    const spec: FeatureSpec = { vocabSize: VOCAB.length, negators: [3, 8, 10], negationWindow: 2, bigrams };
    const rand = prng(4);
    const rows = featureRows(spec);
    const model: SoftmaxModel = {
      vocabSize: rows,
      classes: 3,
      W: Float32Array.from({ length: rows * 3 }, () => rand() * 4 - 2),
      b: Float32Array.from([0.1, -0.2, 0.3]),
    };
    await Deno.writeFile(`${dir}/onnx/model.onnx`, bagOfWordsOnnx(model, spec, "test"));

    // A pair never seen that lands on a taken slot must add nothing.
    const words = VOCAB.slice(2).filter((w) => /^[a-z]+$/.test(w));
    const collision = words.flatMap((l) => words.map((r) => [l, r])).find(([l, r]) => {
      const key = VOCAB.indexOf(l!) * VOCAB.length + VOCAB.indexOf(r!);
      const row = bigrams.slotRow[key % bigrams.slots]!;
      return row !== 0 && bigrams.keys[row] !== key;
    });
    assert(collision !== undefined, "some unseen pair shares a slot");
    const unseen = [collision.join(" "), "good bitcoin"];
    const classifier = await pipeline("text-classification", id, { dtype: "fp32", device: "auto" });
    try {
      const all = [...headlines, ...unseen];
      const out = await classifier(all, { top_k: 3 }) as unknown as { label: string; score: number }[][];
      all.forEach((h, i) => {
        const expected = softmax(logits(model, featureIds(spec, encode(h))));
        for (const { label, score } of out[i]!) {
          assertAlmostEquals(score, expected[LABELS.indexOf(label as typeof LABELS[number])]!, 1e-5, h);
        }
      });
    } finally {
      await classifier.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a distilled tokenizer reads a word outside the vocabulary as its stem and ending, through transformers.js", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const vocab = buildVocab(["bitcoin crash", "bitcoin crash"], 2, 10, [], { inflections: true });
    const files = tokenizerFiles(vocab, MAX_LENGTH);
    await Deno.writeTextFile(`${dir}/tokenizer.json`, JSON.stringify(files.tokenizer));
    await Deno.writeTextFile(`${dir}/tokenizer_config.json`, JSON.stringify(files.config));
    const { id } = await configureFor(dir, "");
    const tokenizer = await AutoTokenizer.from_pretrained(id);
    const words = (h: string) => (tokenizer.encode(h) as number[]).map((i) => vocab[i]);
    assertEquals(words("Bitcoin crashes"), ["bitcoin", "crash", "##es"]);
    assertEquals(words("Bitcoin crashed, plunges"), ["bitcoin", "crash", "##ed", "[UNK]", "[UNK]"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
