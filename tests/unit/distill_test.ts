import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { classificationMetrics } from "../../src/news_model/metrics.ts";
import { type BagExample, loss, predict, train } from "../../src/news_model/softmax_regression.ts";
import {
  habitOf,
  parseTeacherLine,
  readTeacherData,
  reconcile,
  type TeacherLine,
} from "../../src/news_model/teacher_data.ts";
import { distillConfig } from "../../src/config/news_distill.ts";
import { basicTokens, buildVocab, numberShape, stemsOf } from "../../src/news_model/vocab.ts";
import { buildBigrams, featureIds, featureRows, NO_BIGRAMS } from "../../src/news_model/bag_features.ts";
import { lexiconPrior } from "../../src/news_model/cross_validation.ts";
import { isHeldOut } from "../../src/news_model/held_out.ts";
import { lexiconSignal } from "../../src/news_model/lexicon.ts";
import { prng } from "../helpers.ts";

Deno.test("teacher lines: output as a JSON string or an object; what is wrong is named", () => {
  const line = (output: unknown) =>
    JSON.stringify({ input: " Bitcoin up ", output, teacher_model_name: "t" });
  assertEquals(parseTeacherLine(line('{"news_signals":[{"coin":"btc","signal":1}]}')), {
    headline: "Bitcoin up",
    signals: [{ coin: "BTC", signal: 1 }],
    teacher: "t",
    currencies: [],
  });
  assertEquals(
    parseTeacherLine(JSON.stringify({ input: "x", output: '{"news_signals":[]}', currencies: ["sol", 3] }))
      .currencies,
    ["SOL"],
  );
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

Deno.test("with inflections, a word's uses count for its stems, and the endings join the vocabulary as pieces", () => {
  assertEquals(stemsOf("crashes"), ["crashe", "crash"]);
  assertEquals(stemsOf("plunged"), ["plung", "plunge"]);
  assertEquals(stemsOf("bus"), [], "a stem keeps three letters");
  // "crash" is used once, "crashes" and "crashed" once each: the stem is seen three times.
  const vocab = buildVocab(["bitcoin crashes", "ether crashed", "crash"], 2, 10, [], { inflections: true });
  assertEquals(vocab.slice(0, 3), ["[PAD]", "[UNK]", "crash"]);
  assertEquals(vocab.filter((w) => w.startsWith("##")), [
    "##s",
    "##es",
    "##ed",
    "##d",
    "##ing",
    "##er",
    "##ers",
    "##ly",
  ]);
  assertEquals(buildVocab(["bitcoin crashes", "ether crashed", "crash"], 2, 10), ["[PAD]", "[UNK]"]);
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

Deno.test("teacher lines: a coin listed twice counts once, the first signal winning", () => {
  const line = JSON.stringify({
    input: "Bitcoin up",
    output: { news_signals: [{ coin: "BTC", signal: 1 }, { coin: "btc", signal: -1 }] },
  });
  assertEquals(parseTeacherLine(line).signals, [{ coin: "BTC", signal: 1 }]);
});

const line = (headline: string, teacher: string | null, ...signals: [string, -1 | 0 | 1][]): TeacherLine => ({
  headline,
  teacher,
  signals: signals.map(([coin, signal]) => ({ coin, signal })),
  currencies: [],
});

Deno.test("habits: under 5% zeros lists relevant coins, otherwise every coin", () => {
  assertEquals(habitOf(379, 1), "lists relevant coins");
  assertEquals(habitOf(100, 4), "lists relevant coins");
  assertEquals(habitOf(100, 5), "lists every coin");
  assertEquals(habitOf(0, 0), "lists relevant coins");
});

Deno.test("reconcile: a padding teacher's zeros for coins the headline does not name are dropped", () => {
  const lines = [
    // Names no coin: BTC 0 and ETH 0 are padding; XRP -1 is an opinion and stays.
    line("RT @someone: a new NFT wallet is live", "pads", ["BTC", 0], ["ETH", 0], ["XRP", -1]),
    // Names Bitcoin: its 0 stays, ETH's goes.
    line("Bitcoin trades flat ahead of the Fed", "pads", ["BTC", 0], ["ETH", 0]),
    line("Ethereum ETF approved", "pads", ["ETH", 1]),
  ];
  const { examples, habits } = reconcile("f.jsonl", lines);
  assertEquals(examples.map((e) => [e.headline.slice(0, 7), e.coin, e.label]), [
    ["RT @som", "XRP", 0],
    ["Bitcoin", "BTC", 1],
    ["Ethereu", "ETH", 2],
  ]);
  assertEquals(habits, [{
    teacher: "pads",
    file: "f.jsonl",
    headlines: 3,
    signals: 6,
    zeros: 4,
    habit: "lists every coin",
    dropped: 3,
  }]);
  // Raw: every listed signal, as written.
  assertEquals(reconcile("f.jsonl", lines, { raw: true }).examples.length, 6);
  // A line with its source's tags: those are the coins it names.
  const tagged = [...lines, {
    ...line("Network upgrade goes live", "pads", ["SOL", 0], ["BTC", 0]),
    currencies: ["SOL"],
  }];
  assertEquals(reconcile("f.jsonl", tagged).examples.at(-1), {
    headline: "Network upgrade goes live",
    coin: "SOL",
    label: 1,
  });
});

Deno.test("reconcile: a relevant-only teacher keeps what it lists (its rare 0 too) and adds no neutral", () => {
  const lines = [
    ...Array.from({ length: 30 }, (_, i) => line(`Solana rallies #${i}`, null, ["SOL", 1])),
    // A zero for a coin the headline does not name: this teacher chose to list it, so it stays.
    line("Exchange lists a new token", null, ["BTC", 0]),
    // Listed no coin: no example, not a neutral one for the coins it did not list.
    line("Bitcoin and Ethereum: what to watch", null),
  ];
  const { examples, habits } = reconcile("claude.jsonl", lines);
  assertEquals(examples.length, 31);
  assertEquals(examples.filter((e) => e.label === 1).map((e) => e.coin), ["BTC"]);
  assertEquals(habits[0]!.teacher, "claude.jsonl", "lines naming no teacher are the file's");
  assertEquals([habits[0]!.habit, habits[0]!.dropped], ["lists relevant coins", 0]);
});

Deno.test("reconcile: habits are found per teacher within a file", () => {
  const lines = [
    line("NFT drop tonight", "padder", ["BTC", 0], ["ETH", 0]),
    line("NFT drop tomorrow", "lister", ["ETH", 0]),
    ...Array.from({ length: 25 }, (_, i) => line(`Ether slides #${i}`, "lister", ["ETH", -1])),
  ];
  const { examples, habits } = reconcile("mixed.jsonl", lines);
  assertEquals(habits.map((h) => [h.teacher, h.habit, h.dropped]), [
    ["padder", "lists every coin", 2],
    ["lister", "lists relevant coins", 0],
  ]);
  assertEquals(examples.length, 26);
});

Deno.test("number shapes: each run of digits reads as 0", () => {
  assertEquals(numberShape("$26M burned, BTC +10% to 100k in 2024"), "$0M burned, BTC +0% to 0k in 0");
  assertEquals(basicTokens(numberShape("$1.5B")), ["$", "0", ".", "0b"]);
});

Deno.test("features: words after a negator read as their negated twins, within the window only", () => {
  // Vocabulary of 10: id 2 is a negator.
  const spec = { vocabSize: 10, negators: [2], negationWindow: 2, bigrams: NO_BIGRAMS };
  assertEquals(featureIds(spec, [5, 2, 6, 7, 8]), [5, 2, 16, 17, 8]);
  // A negator inside the window extends it.
  assertEquals(featureIds(spec, [2, 2, 6, 7, 8]), [2, 12, 16, 17, 8]);
  assertEquals(featureIds({ ...spec, negationWindow: 0 }, [2, 6]), [2, 6]);
  assertEquals(featureRows(spec), 20);
});

Deno.test("features: bigrams seen in enough headlines get rows after the words; unknown pairs add nothing", () => {
  const V = 10;
  const table = buildBigrams([[3, 4, 5], [3, 4], [4, 5, 9], [7, 8]], V, 2, 100);
  // (3,4) and (4,5) occur in two headlines each; (5,9) and (7,8) once.
  assertEquals(table.keys.length, 3);
  assert(table.slots >= 8 && (table.slots & (table.slots - 1)) === 0);
  const spec = { vocabSize: V, negators: [], negationWindow: 0, bigrams: table };
  assertEquals(featureRows(spec), V + 2);
  const ids = featureIds(spec, [3, 4, 5, 9]);
  assertEquals(ids.slice(0, 4), [3, 4, 5, 9]);
  assertEquals(ids.slice(4).sort(), [10, 11]);
  assertEquals(featureIds(spec, [7, 8]), [7, 8]);
  assertEquals(buildBigrams([[3, 4], [3, 4]], V, 0, 100), NO_BIGRAMS);
});

Deno.test("features: of two bigrams on one hash slot the more frequent keeps it", () => {
  // With one bigram of each count the table has 8 slots; keys 1*10+2 = 12 and 2*10+0 = 20 share slot 4.
  const table = buildBigrams([[1, 2], [1, 2], [1, 2], [2, 0], [2, 0]], 10, 2, 100);
  assertEquals(table.slots, 8);
  assertEquals(table.keys, [-1, 12]);
});

Deno.test("lexicon prior: a negated word's prior is the word's, flipped; bigrams have none", () => {
  const vocab = ["[PAD]", "[UNK]", "good", "table"];
  const table = buildBigrams([[2, 3], [2, 3]], 4, 2, 10);
  const prior = lexiconPrior(vocab, 5, { vocabSize: 4, negators: [], negationWindow: 3, bigrams: table });
  assertEquals(prior.length, (8 + 1) * 3);
  const good = 3; // AFINN scores "good" 3
  assertEquals([...prior.subarray(2 * 3, 3 * 3)], [-good, 0, good]);
  assertEquals([...prior.subarray(6 * 3, 7 * 3)], [good, 0, -good]);
  assertEquals([...prior.subarray(8 * 3)], [0, 0, 0]);
});

Deno.test("held-back split: by headline, stable, about the fraction asked", () => {
  const headlines = Array.from({ length: 2000 }, (_, i) => `headline number ${i}`);
  const held = headlines.filter((h) => isHeldOut(h, 0.2)).length;
  assert(held > 330 && held < 470, String(held));
  assertEquals(isHeldOut("Bitcoin up", 0.2), isHeldOut("bitcoin   UP", 0.2));
});

Deno.test("teacher files: several read together, each teacher's habit found and reconciled", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const row = (input: string, teacher: string, signals: [string, number][]) =>
      JSON.stringify({
        input,
        output: JSON.stringify({ news_signals: signals.map(([coin, signal]) => ({ coin, signal })) }),
        teacher_model_name: teacher,
      });
    await Deno.writeTextFile(
      `${dir}/padder.jsonl`,
      [
        row("Ethereum upgrade ships", "padder", [["BTC", 0], ["ETH", 1], ["XRP", 0]]),
        row("Stablecoin rules debated", "padder", [["BTC", 0], ["ETH", 0], ["XRP", -1]]),
      ].join("\n"),
    );
    await Deno.writeTextFile(
      `${dir}/lister.jsonl`,
      [
        row("Ethereum upgrade ships", "lister", [["ETH", 1]]),
        row("Bitcoin ETF outflows", "lister", [["BTC", -1]]),
      ]
        .join("\n"),
    );
    const cfg = distillConfig(
      ["--data", `${dir}/padder.jsonl`, "--data", `${dir}/lister.jsonl`],
      () => undefined,
    );
    const data = await readTeacherData(cfg.data);
    assertEquals(data.teachers, ["lister", "padder"]);
    assertEquals(data.habits.map((h) => [h.teacher, h.habit, h.dropped]), [
      ["padder", "lists every coin", 4],
      ["lister", "lists relevant coins", 0],
    ]);
    // The headline both labelled gives an example per teacher.
    assertEquals(data.examples.map((e) => `${e.coin}${e.label - 1}`), ["ETH1", "XRP-1", "ETH1", "BTC-1"]);
    assertEquals((await readTeacherData(cfg.data, { raw: true })).examples.length, 8);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
