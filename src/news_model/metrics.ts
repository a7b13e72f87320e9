/** Classification quality against the teacher: accuracy, macro-F1 and the confusion matrix. */

export interface ClassificationMetrics {
  n: number;
  accuracy: number;
  /** Mean F1 over the classes present in the truth or the predictions. */
  macro_f1: number;
  /** Per class: precision, recall, F1, support (true count). */
  per_class: { label: string; precision: number; recall: number; f1: number; support: number }[];
  /** confusion[true][predicted]. */
  confusion: number[][];
}

/** The `k`×`k` counts of (true, predicted) class pairs. */
export function confusionMatrix(
  truth: readonly number[],
  predicted: readonly number[],
  k: number,
): number[][] {
  if (truth.length !== predicted.length) throw new Error("truth and predictions differ in length");
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  truth.forEach((t, i) => confusion[t]![predicted[i]!]!++);
  return confusion;
}

/** The metrics of a confusion matrix (confusion[true][predicted]), one row and column per label. */
export function metricsOfConfusion(
  confusion: readonly (readonly number[])[],
  labels: readonly string[],
): ClassificationMetrics {
  let n = 0, correct = 0;
  confusion.forEach((row, t) => {
    row.forEach((count) => n += count);
    correct += row[t]!;
  });
  const per_class = labels.map((label, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedN = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = predictedN > 0 ? tp / predictedN : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support, predictedN };
  });
  const present = per_class.filter((c) => c.support > 0 || c.predictedN > 0);
  const macro_f1 = present.length > 0 ? present.reduce((a, c) => a + c.f1, 0) / present.length : 0;
  return {
    n,
    accuracy: n > 0 ? correct / n : 0,
    macro_f1,
    per_class: per_class.map(({ predictedN: _, ...c }) => c),
    confusion: confusion.map((row) => [...row]),
  };
}

export function classificationMetrics(
  truth: readonly number[],
  predicted: readonly number[],
  labels: readonly string[],
): ClassificationMetrics {
  return metricsOfConfusion(confusionMatrix(truth, predicted, labels.length), labels);
}
