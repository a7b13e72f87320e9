/**
 * What `news:eval` prints: the scores of the model and both baselines (accuracy, macro-F1,
 * recall per class), the model's gain over each baseline with its bootstrap interval, and the
 * model's confusion matrix; or, for `--json`, the report itself. Pure: the caller prints it.
 */
import type { GainInterval } from "../news_model/bootstrap.ts";
import type { EvalReport } from "../news_model/eval_report.ts";
import type { ClassificationMetrics } from "../news_model/metrics.ts";
import { LABELS } from "../news_model/teacher_data.ts";

const NAME = 26;

function fixed(x: number, width = 8): string {
  return x.toFixed(3).padStart(width);
}

function signed(x: number): string {
  return `${x >= 0 ? "+" : ""}${x.toFixed(3)}`;
}

function interval(g: GainInterval): string {
  return `${signed(g.gain)} [${signed(g.low)}, ${signed(g.high)}]`;
}

function scoreRow(name: string, m: ClassificationMetrics): string {
  const recall = m.per_class.map((c) => fixed(c.recall, c.label.length + 1)).join("");
  return `  ${name.padEnd(NAME)} ${fixed(m.accuracy)} ${fixed(m.macro_f1)}  ${recall}`;
}

/** The text `news:eval` prints. */
export function evalReportText(r: EvalReport, json: boolean): string {
  if (json) return JSON.stringify(r, null, 2);
  const lexicon = "lexicon (AFINN)";
  const majority = `majority (${r.scores.majority.predicts})`;
  const split = r.split === "all" ? "all headlines" : `${r.split} split at test fraction ${r.test_fraction}`;
  const lines = [
    `model ${r.model} on ${r.examples} (headline, coin) examples of ${r.headlines} headlines ` +
    `(${split}, labels ${r.labels})` + (r.unclassified ? `; ${r.unclassified} headlines unclassified` : ""),
    `  ${"".padEnd(NAME)} ${"accuracy".padStart(8)} ${"macro-F1".padStart(8)}  recall ${LABELS.join(" ")}`,
    scoreRow("model", r.scores.model),
    scoreRow(lexicon, r.scores.lexicon),
    scoreRow(majority, r.scores.majority),
    `gain of the model, ${r.bootstrap.level * 100}% paired bootstrap interval over headlines ` +
    `(${r.bootstrap.resamples} resamples, seed ${r.bootstrap.seed}):`,
    ...([[lexicon, r.gains.lexicon], [majority, r.gains.majority]] as const).map(([name, g]) =>
      `  over ${name.padEnd(NAME - 5)} accuracy ${interval(g.accuracy)}  macro-F1 ${interval(g.macro_f1)}`
    ),
    `confusion of the model (rows: label, columns: predicted):`,
    `  ${"".padEnd(8)}${LABELS.map((l) => l.padStart(8)).join("")}`,
    ...r.scores.model.confusion.map((row, t) =>
      `  ${LABELS[t]!.padEnd(8)}${row.map((n) => String(n).padStart(8)).join("")}`
    ),
  ];
  if (r.speed) {
    lines.push(`classified ${r.speed.headlines} headlines in ${r.speed.ms} ms (${r.speed.per_second}/s)`);
  }
  return lines.join("\n");
}
