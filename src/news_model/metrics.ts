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

export function classificationMetrics(
  truth: readonly number[],
  predicted: readonly number[],
  labels: readonly string[],
): ClassificationMetrics {
  if (truth.length !== predicted.length) throw new Error("truth and predictions differ in length");
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  truth.forEach((t, i) => {
    const p = predicted[i]!;
    confusion[t]![p]!++;
    if (t === p) correct++;
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
    n: truth.length,
    accuracy: truth.length > 0 ? correct / truth.length : 0,
    macro_f1,
    per_class: per_class.map(({ predictedN: _, ...c }) => c),
    confusion,
  };
}
