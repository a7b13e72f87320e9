import { assertEquals } from "../assert.ts";
import type { DistillReport } from "../../src/news_model/distill.ts";
import type { ClassificationMetrics } from "../../src/news_model/metrics.ts";
import { distillReportText, habitLine } from "../../src/jobs/distill_table.ts";

const scores = (accuracy: number, macro_f1: number): ClassificationMetrics => ({
  n: 64,
  accuracy,
  macro_f1,
  per_class: [],
  confusion: [],
});

const report: DistillReport = {
  model_dir: "models/news",
  teachers: ["teacher"],
  habits: [],
  data: { lines: 300, skipped: 0, examples: 320, headlines: 300, no_coin: 4 },
  split: { test_fraction: 0.2, train_examples: 256, test_examples: 64 },
  vocab_size: 812,
  features: { number_shapes: true, negation_window: 3, bigrams: 0, weight_rows: 1624 },
  size_bytes: 40_000,
  params: { l2: 0.01, balanced: true, lexicon_weight: 2, epochs: 300 },
  cross_validation: [],
  test: {
    model: scores(0.8125, 0.79),
    lexicon: scores(0.5, 0.4321),
    majority: { ...scores(0.4, 0.19), predicts: "neutral" },
  },
  beats_baselines: true,
  kept: true,
};

Deno.test("news:distill prints its settings, then held-out scores beside both baselines", () => {
  assertEquals(distillReportText(report, false).split("\n"), [
    "256 training / 64 held-out examples, vocabulary 812, 0 bigrams, negation window 3, number shapes true, " +
    "l2 0.01, balanced true, lexicon prior 2",
    "  held-out, vs the teacher   accuracy macro-F1",
    "  distilled                     0.813    0.790",
    "  lexicon (npm:sentiment)       0.500    0.432",
    "  majority (neutral)            0.400    0.190",
  ]);
});

Deno.test("news:distill with --json prints only the report", () => {
  assertEquals(JSON.parse(distillReportText(report, true)), report);
});

Deno.test("news:distill says each teacher's habit and what reconciling it dropped", () => {
  const habit = { teacher: "llama3.2:3b", file: "g.jsonl.gz", headlines: 995, signals: 1509, zeros: 806 };
  assertEquals(
    habitLine({ ...habit, habit: "lists every coin", dropped: 752 }),
    "llama3.2:3b in g.jsonl.gz: 995 headlines, 1509 signals, 806 zero (53.4%): lists every coin; " +
      "752 zeros for coins the headline does not name dropped",
  );
  assertEquals(
    habitLine({ ...habit, signals: 379, zeros: 1, habit: "lists relevant coins", dropped: 0 }),
    "llama3.2:3b in g.jsonl.gz: 995 headlines, 379 signals, 1 zero (0.3%): lists relevant coins",
  );
});
