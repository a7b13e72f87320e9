/**
 * What `news:eval` finds: a model's predictions on labelled (headline, coin) examples scored
 * beside two baselines, the AFINN lexicon and the majority class (the most frequent label of the
 * evaluated examples: the best constant guess, so a conservative baseline), with the gain over
 * each in accuracy and macro-F1 and its paired bootstrap interval (./bootstrap.ts), resampled by
 * headline. Pure: the job classifies, this scores.
 */
import { pairedBootstrap, type PairedGain } from "./bootstrap.ts";
import { lexiconSignal } from "./lexicon.ts";
import { type ClassificationMetrics, classificationMetrics } from "./metrics.ts";
import { labelOf, LABELS, type TeacherHabit } from "./teacher_data.ts";

/** One labelled example and the model's class for it (an index into LABELS). */
export interface ScoredExample {
  headline: string;
  coin: string;
  label: number;
  predicted: number;
}

export interface EvalSettings {
  model: string;
  data: readonly string[];
  split: string;
  testFraction: number;
  rawLabels: boolean;
  resamples: number;
  seed: number;
  habits: readonly TeacherHabit[];
  /** Headlines the model could not classify (left out of every score). */
  unclassified: number;
}

export interface EvalReport {
  model: string;
  data: string[];
  split: string;
  test_fraction: number;
  labels: "reconciled" | "raw";
  habits: TeacherHabit[];
  examples: number;
  headlines: number;
  unclassified: number;
  scores: {
    model: ClassificationMetrics;
    lexicon: ClassificationMetrics;
    majority: ClassificationMetrics & { predicts: string };
  };
  /** The model's gain over each baseline. */
  gains: { lexicon: PairedGain; majority: PairedGain };
  bootstrap: { resamples: number; seed: number; level: number; unit: "headline" };
  /** How fast the model classified, when measured. */
  speed?: { headlines: number; ms: number; per_second: number };
}

/** The class most examples have (ties: the first in LABELS order). */
export function majorityClass(labels: readonly number[]): number {
  const counts = new Array<number>(LABELS.length).fill(0);
  for (const l of labels) counts[l]!++;
  return counts.indexOf(Math.max(...counts));
}

export function evalReport(examples: readonly ScoredExample[], s: EvalSettings): EvalReport {
  const truth = examples.map((e) => e.label);
  const model = examples.map((e) => e.predicted);
  const lexicon = examples.map((e) => labelOf(lexiconSignal(e.headline)));
  const majority = majorityClass(truth);
  const constant = truth.map(() => majority);
  const options = {
    classes: LABELS.length,
    groups: examples.map((e) => e.headline),
    resamples: s.resamples,
    seed: s.seed,
  };
  return {
    model: s.model,
    data: [...s.data],
    split: s.split,
    test_fraction: s.testFraction,
    labels: s.rawLabels ? "raw" : "reconciled",
    habits: [...s.habits],
    examples: examples.length,
    headlines: new Set(examples.map((e) => e.headline)).size,
    unclassified: s.unclassified,
    scores: {
      model: classificationMetrics(truth, model, LABELS),
      lexicon: classificationMetrics(truth, lexicon, LABELS),
      majority: { ...classificationMetrics(truth, constant, LABELS), predicts: LABELS[majority]! },
    },
    gains: {
      lexicon: pairedBootstrap(truth, model, lexicon, options),
      majority: pairedBootstrap(truth, model, constant, options),
    },
    bootstrap: { resamples: s.resamples, seed: s.seed, level: 0.95, unit: "headline" },
  };
}
