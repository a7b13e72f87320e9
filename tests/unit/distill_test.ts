import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { classificationMetrics } from "../../src/news_model/metrics.ts";
import { type BagExample, loss, predict, train } from "../../src/news_model/softmax_regression.ts";
import { parseTeacherLine } from "../../src/news_model/teacher_data.ts";
import { basicTokens, buildVocab } from "../../src/news_model/vocab.ts";
import { lexiconSignal } from "../../src/news_model/lexicon.ts";
import { prng } from "../helpers.ts";

Deno.test("teacher lines: output as a JSON string or an object; what is wrong is named", () => {
  const line = (output: unknown) =>
    JSON.stringify({ input: " Bitcoin up ", output, teacher_model_name: "t" });
  assertEquals(parseTeacherLine(line('{"news_signals":[{"coin":"btc","signal":1}]}')), {
    headline: "Bitcoin up",
    signals: [{ coin: "BTC", signal: 1 }],
    teacher: "t",
  });
  assertEquals(parseTeacherLine(line({ news_signals: [] })).signals, []);
  assertThrows(() => parseTeacherLine(line("{oops")), Error, "output is not JSON");
  assertThrows(() => parseTeacherLine(line({ news_signals: [{ coin: "BTC", signal: 2 }] })), Error, "signal");
  assertThrows(() => parseTeacherLine(JSON.stringify({ output: "{}" })), Error, "input");
  assertThrows(() => parseTeacherLine(line({ signals: [] })), Error, "news_signals");
});

Deno.test("vocabulary: BERT-style words (lower case, accents stripped, punctuation split), frequent first", () => {
  assertEquals(basicTokens("Élan: BTC's $100K rally!"), [
    "elan",
    ":",
    "btc",
    "'",
    "s",
    "$",
    "100k",
    "rally",
    "!",
  ]);
  const vocab = buildVocab(["a b b", "b c", "c d"], 2, 10, ["zz", "b"]);
  assertEquals(vocab, ["[PAD]", "[UNK]", "b", "c", "zz"]);
});

Deno.test("softmax regression: the loss falls and separable bags are learned; a strong prior holds", () => {
  const rand = prng(3);
  const data: BagExample[] = [];
  for (let i = 0; i < 200; i++) {
    const label = Math.floor(rand() * 3);
    // Token 2+label decides the class; tokens 5..9 are noise.
    data.push({ ids: [2 + label, 5 + Math.floor(rand() * 5), 5 + Math.floor(rand() * 5)], label });
  }
  const opts = { classes: 3, vocabSize: 10, l2: 1e-3, balanced: false };
  const short = train(data, { ...opts, epochs: 5 });
  const long = train(data, { ...opts, epochs: 300 });
  assert(loss(long, data, opts) < loss(short, data, opts));
  assertEquals(data.filter((d) => predict(long, d.ids) === d.label).length, data.length);
  // Trained twice, the same weights: no randomness anywhere.
  assertEquals(train(data, { ...opts, epochs: 50 }).W, train(data, { ...opts, epochs: 50 }).W);
  const prior = new Float32Array(30).fill(0.25);
  const held = train(data, { ...opts, l2: 1e6, epochs: 50, prior });
  // Adam's steps hover around the optimum; a weak prior lets the weights go far from it.
  for (const w of held.W) assertAlmostEquals(w, 0.25, 0.01);
  assert(long.W.some((w) => Math.abs(w - 0.25) > 0.5));
});

Deno.test("metrics: accuracy, per-class F1 and macro-F1 over the classes that occur", () => {
  const m = classificationMetrics([0, 0, 2, 2, 2], [0, 2, 2, 2, 0], ["bear", "neutral", "bull"]);
  assertEquals(m.accuracy, 3 / 5);
  assertEquals(m.confusion, [[1, 0, 1], [0, 0, 0], [1, 0, 2]]);
  // bear: p=1/2 r=1/2 f=1/2; bull: p=2/3 r=2/3 f=2/3; neutral never occurs, so it is left out.
  assertAlmostEquals(m.macro_f1, (1 / 2 + 2 / 3) / 2, 1e-12);
});

Deno.test("lexicon baseline: AFINN scores by sign", () => {
  assertEquals(lexiconSignal("Great gains, a wonderful win"), 1);
  assertEquals(lexiconSignal("Terrible fraud and a disastrous loss"), -1);
  assertEquals(lexiconSignal("Bitcoin trades at 60,000"), 0);
});
