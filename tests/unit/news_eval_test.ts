import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../assert.ts";
import { pairedBootstrap, quantile } from "../../src/news_model/bootstrap.ts";
import { evalReport, majorityClass, type ScoredExample } from "../../src/news_model/eval_report.ts";
import { evalReportText } from "../../src/jobs/news_eval_table.ts";
import { inSplit, predictedClass } from "../../src/jobs/news_eval_job.ts";
import { isHeldOut } from "../../src/news_model/held_out.ts";
import { csvField, newsExportHeader, newsExportLines } from "../../src/jobs/news_export_text.ts";
import { joinRepeated } from "../../src/config/repeated_flag.ts";
import { evalConfig } from "../../src/config/news_eval.ts";
import { newsExportConfig } from "../../src/config/news_export.ts";
import { ConfigError } from "../../src/config/config_error.ts";
import { prng } from "../helpers.ts";

/** `n` examples; the model is right with probability `pModel`, the baseline with `pBase`. */
function synthetic(n: number, pModel: number, pBase: number, seed = 7) {
  const rand = prng(seed);
  const truth: number[] = [], model: number[] = [], base: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = Math.floor(rand() * 3);
    truth.push(t);
    model.push(rand() < pModel ? t : (t + 1 + Math.floor(rand() * 2)) % 3);
    base.push(rand() < pBase ? t : (t + 1 + Math.floor(rand() * 2)) % 3);
  }
  return { truth, model, base };
}

Deno.test("quantile: linear between order statistics", () => {
  assertEquals(quantile([1, 2, 3, 4, 5], 0.5), 3);
  assertEquals(quantile([0, 10], 0.25), 2.5);
  assertEquals(quantile([7], 0.975), 7);
  assert(Number.isNaN(quantile([], 0.5)));
});

Deno.test("bootstrap: a clearly better model's interval is above zero, and the same seed gives the same interval", () => {
  const { truth, model, base } = synthetic(400, 0.8, 0.4);
  const opts = { classes: 3, resamples: 500, seed: 3 };
  const g = pairedBootstrap(truth, model, base, opts);
  assert(g.accuracy.low > 0.25 && g.accuracy.high < 0.55, JSON.stringify(g.accuracy));
  assert(g.accuracy.low <= g.accuracy.gain && g.accuracy.gain <= g.accuracy.high);
  assert(g.macro_f1.low > 0);
  assertEquals(g.accuracy.not_better, 0);
  assertEquals(pairedBootstrap(truth, model, base, opts), g);
  assert(pairedBootstrap(truth, model, base, { ...opts, seed: 4 }).accuracy.low !== g.accuracy.low);
});

Deno.test("bootstrap: two equally good models' interval straddles zero; a model against itself gains exactly 0", () => {
  const { truth, model, base } = synthetic(300, 0.6, 0.6, 11);
  const g = pairedBootstrap(truth, model, base, { classes: 3, resamples: 1000, seed: 1 });
  assert(g.accuracy.low < 0 && g.accuracy.high > 0, JSON.stringify(g.accuracy));
  const self = pairedBootstrap(truth, model, model, { classes: 3, resamples: 200, seed: 1 });
  assertEquals([self.macro_f1.gain, self.macro_f1.low, self.macro_f1.high, self.macro_f1.not_better], [
    0,
    0,
    0,
    1,
  ]);
});

Deno.test("bootstrap: examples of one headline are resampled together, which widens the interval", () => {
  const { truth, model, base } = synthetic(100, 0.75, 0.5, 5);
  // Each headline with four coins that share labels and predictions.
  const rep = <T>(xs: T[]) => xs.flatMap((x) => [x, x, x, x]);
  const groups = rep(truth.map((_, i) => `h${i}`));
  const opts = { classes: 3, resamples: 1000, seed: 2 };
  const byHeadline = pairedBootstrap(rep(truth), rep(model), rep(base), { ...opts, groups });
  const byExample = pairedBootstrap(rep(truth), rep(model), rep(base), opts);
  const width = (g: { low: number; high: number }) => g.high - g.low;
  assertAlmostEquals(byHeadline.accuracy.gain, byExample.accuracy.gain, 1e-12);
  assert(width(byHeadline.accuracy) > 1.5 * width(byExample.accuracy));
});

Deno.test("bootstrap: bad arguments are refused", () => {
  assertThrows(
    () => pairedBootstrap([0], [0, 1], [0], { classes: 3, resamples: 10, seed: 1 }),
    RangeError,
    "length",
  );
  assertThrows(
    () => pairedBootstrap([0], [0], [0], { classes: 3, resamples: 0, seed: 1 }),
    RangeError,
    "resamples",
  );
  assertThrows(
    () => pairedBootstrap([0], [0], [0], { classes: 3, resamples: 10, seed: 1, groups: [] }),
    RangeError,
    "groups",
  );
});

const examples: ScoredExample[] = [
  { headline: "Bitcoin wins big, a great day", coin: "BTC", label: 2, predicted: 2 },
  { headline: "Bitcoin wins big, a great day", coin: "ETH", label: 2, predicted: 2 },
  { headline: "Terrible fraud hits ether", coin: "ETH", label: 0, predicted: 0 },
  { headline: "Solana trades sideways", coin: "SOL", label: 1, predicted: 0 },
  { headline: "Ripple wins its lawsuit", coin: "XRP", label: 2, predicted: 2 },
];
const settings = {
  model: "models/news-distilled",
  data: ["labels.jsonl"],
  split: "heldout",
  testFraction: 0.2,
  rawLabels: false,
  resamples: 200,
  seed: 1,
  habits: [],
  unclassified: 0,
};

Deno.test("eval report: the model beside the lexicon and the evaluated majority, gains paired by headline", () => {
  assertEquals(majorityClass([0, 2, 2, 1]), 2);
  assertEquals(majorityClass([0, 2, 0, 2]), 0);
  const r = evalReport(examples, settings);
  assertEquals([r.examples, r.headlines, r.labels], [5, 4, "reconciled"]);
  assertEquals(r.scores.model.accuracy, 4 / 5);
  assertEquals(r.scores.majority.predicts, "bullish");
  assertEquals(r.scores.majority.accuracy, 3 / 5);
  // The lexicon: "wins", "great" → bullish; "terrible", "fraud" → bearish; no scored word → neutral.
  assertEquals(r.scores.lexicon.confusion, [[1, 0, 0], [0, 1, 0], [0, 0, 3]]);
  assertAlmostEquals(r.gains.lexicon.accuracy.gain, 4 / 5 - 1);
  assertAlmostEquals(r.gains.majority.accuracy.gain, 1 / 5);
  assertEquals(r.bootstrap, { resamples: 200, seed: 1, level: 0.95, unit: "headline" });
});

Deno.test("eval table: scores, recall per class, gains with intervals and the confusion matrix", () => {
  const r = evalReport(examples, settings);
  r.speed = { headlines: 4, ms: 2, per_second: 2000 };
  const text = evalReportText(r, false).split("\n");
  assertEquals(
    text[0],
    "model models/news-distilled on 5 (headline, coin) examples of 4 headlines " +
      "(heldout split at test fraction 0.2, labels reconciled)",
  );
  assertEquals(text[2], "  model                         0.800    0.556     1.000   0.000   1.000");
  assert(
    text[5]!.startsWith(
      "gain of the model, 95% paired bootstrap interval over headlines (200 resamples, seed 1)",
    ),
  );
  assert(
    /^ {2}over lexicon \(AFINN\) +accuracy -0\.200 \[-?\d\.\d{3}, [+-]\d\.\d{3}\] {2}macro-F1 /.test(
      text[6]!,
    ),
  );
  assertEquals(text.slice(-4), [
    "  bearish        1       0       0",
    "  neutral        1       0       0",
    "  bullish        0       0       3",
    "classified 4 headlines in 2 ms (2000/s)",
  ]);
  assertEquals(JSON.parse(evalReportText(r, true)).scores.model.accuracy, 0.8);
});

Deno.test("eval split: heldout is exactly what news:distill holds back, train the rest", () => {
  const all = Array.from({ length: 200 }, (_, i) => ({ headline: `headline ${i}`, coin: "BTC", label: 1 }));
  const held = inSplit(all, "heldout", 0.2);
  assertEquals(held, all.filter((e) => isHeldOut(e.headline, 0.2)));
  assertEquals(held.length + inSplit(all, "train", 0.2).length, 200);
  assertEquals(inSplit(all, "all", 0.2), all);
});

Deno.test("eval prediction: an LLM's own coin signal first, the headline's otherwise, none on an error", () => {
  const c = { signal: 1 as const, score: 0.9, coins: [{ coin: "ETH", signal: -1 as const, score: 0.8 }] };
  assertEquals([predictedClass(c, "ETH"), predictedClass(c, "BTC")], [0, 2]);
  assertEquals(predictedClass({ signal: 0, score: 0, error: "timeout" }, "BTC"), undefined);
});

Deno.test("flags: --data repeated or comma separated is one list; bad values are config errors", () => {
  assertEquals(joinRepeated(["--data", "a", "--json", "--data=b,c"], "data"), ["--data=a,b,c", "--json"]);
  assertEquals(joinRepeated(["--data", "--json"], "data"), ["--data", "--json"]);
  const env = () => undefined;
  const cfg = evalConfig(["--data", "a.jsonl", "--data", "b.jsonl", "--news-model", "lexicon"], env);
  assertEquals([cfg.data, cfg.split, cfg.seed, cfg.resamples], [["a.jsonl", "b.jsonl"], "all", 1, 2000]);
  assertThrows(
    () => evalConfig(["--data", "a", "--news-model", "m", "--split", "test"], env),
    ConfigError,
    "--split",
  );
  assertThrows(() => evalConfig(["--data", "a"], env), ConfigError, "--news-model is required");
  assertThrows(() => newsExportConfig(["--out", "x", "--from", "yesterday"], env), ConfigError, "--from");
  assertThrows(
    () => newsExportConfig(["--out", "x", "--from", "2025-02-02", "--to", "2025-02-01"], env),
    ConfigError,
    "--to must be later than --from",
  );
  assertEquals(newsExportConfig(["--out", "-", "--from", "2025-02-01"], env).from, Date.UTC(2025, 1, 1));
});

Deno.test("news export lines: CSV quoted where needed, JSON with ISO times, the title only when stored", () => {
  const s = {
    news_id: "42",
    coin: "BTC",
    signal: -1 as const,
    score: 0.75,
    model: 'distilled, "v2"',
    published_at: Date.UTC(2025, 1, 26, 8, 30),
    known_at: Date.UTC(2025, 1, 26, 8, 30),
  };
  assertEquals(csvField("plain"), "plain");
  assertEquals(csvField("a\nb"), '"a\nb"');
  assertEquals(newsExportHeader("csv", false), "news_id,coin,signal,score,model,published_at,known_at\n");
  assertEquals(newsExportHeader("jsonl", true), "");
  assertEquals(
    newsExportLines([{ ...s, known_at: s.known_at + 90_000 }], "csv", false),
    '42,BTC,-1,0.75,"distilled, ""v2""",2025-02-26T08:30:00.000Z,2025-02-26T08:31:30.000Z\n',
  );
  assertEquals(JSON.parse(newsExportLines([{ ...s, title: "Hack" }], "jsonl", true)), {
    news_id: "42",
    coin: "BTC",
    signal: -1,
    score: 0.75,
    model: 'distilled, "v2"',
    published_at: "2025-02-26T08:30:00.000Z",
    known_at: "2025-02-26T08:30:00.000Z",
    title: "Hack",
  });
});
