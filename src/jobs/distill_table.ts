/**
 * What `news:distill` prints on stdout: the split, vocabulary and chosen settings, then the
 * held-out accuracy and macro-F1 of the distilled model beside the lexicon and majority
 * baselines; or, for `--json`, the report itself. Pure: the caller prints it.
 */
import type { DistillReport } from "../news_model/distill.ts";
import type { TeacherHabit } from "../news_model/teacher_data.ts";

/** What reading a teacher found of its habit, and what reconciling it did. */
export function habitLine(h: TeacherHabit): string {
  const share = h.signals > 0 ? ` (${(100 * h.zeros / h.signals).toFixed(1)}%)` : "";
  return `${h.teacher} in ${h.file}: ${h.headlines} headlines, ${h.signals} signals, ${h.zeros} zero${share}: ` +
    `${h.habit}` + (h.dropped ? `; ${h.dropped} zeros for coins the headline does not name dropped` : "");
}

/** The held-out table: a header and a line per classifier, names left, scores right. */
export function distillTable(r: DistillReport): string {
  const rows: [string, { accuracy: number; macro_f1: number }][] = [
    ["distilled", r.test.model],
    ["lexicon (npm:sentiment)", r.test.lexicon],
    [`majority (${r.test.majority.predicts})`, r.test.majority],
  ];
  const lines = rows.map(([name, m]) =>
    `  ${name.padEnd(26)} ${m.accuracy.toFixed(3).padStart(8)} ${m.macro_f1.toFixed(3).padStart(8)}`
  );
  return [
    `  ${"held-out, vs the teacher".padEnd(26)} ${"accuracy".padStart(8)} ${"macro-F1".padStart(8)}`,
    ...lines,
  ].join("\n");
}

/** The text `news:distill` prints: the report as JSON, or the settings line and the table. */
export function distillReportText(r: DistillReport, json: boolean): string {
  if (json) return JSON.stringify(r, null, 2);
  return [
    `${r.split.train_examples} training / ${r.split.test_examples} held-out examples, ` +
    `vocabulary ${r.vocab_size}, ${r.features.bigrams} bigrams, negation window ${r.features.negation_window}, ` +
    `number shapes ${r.features.number_shapes}, l2 ${r.params.l2}, balanced ${r.params.balanced}, ` +
    `lexicon prior ${r.params.lexicon_weight}`,
    distillTable(r),
  ].join("\n");
}
