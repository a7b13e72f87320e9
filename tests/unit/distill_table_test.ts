import { assertEquals } from "../assert.ts";
import type { DistillReport } from "../../src/news_model/distill.ts";
import type { ClassificationMetrics } from "../../src/news_model/metrics.ts";
import { distillReportText } from "../../src/jobs/distill_table.ts";

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
  data: { lines: 300, skipped: 0, examples: 320, headlines: 300, no_coin: 4 },
  split: { test_fraction: 0.2, train_examples: 256, test_examples: 64 },
  vocab_size: 812,
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
    "256 training / 64 held-out examples, vocabulary 812, l2 0.01, balanced true, lexicon prior 2",
    "  held-out, vs the teacher   accuracy macro-F1",
    "  distilled                     0.813    0.790",
    "  lexicon (npm:sentiment)       0.500    0.432",
    "  majority (neutral)            0.400    0.190",
  ]);
});

Deno.test("news:distill with --json prints only the report", () => {
  assertEquals(JSON.parse(distillReportText(report, true)), report);
});
