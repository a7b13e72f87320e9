/**
 * How distillation picks its settings: every combination of L2 strength, class weighting and
 * lexicon prior not fixed by the caller, each scored by cross-validation on the training side
 * only, over folds drawn by a stable hash of the headline so no headline is on both sides.
 */
import { stableId } from "../domain/news.ts";
import { featureRows, type FeatureSpec } from "./bag_features.ts";
import { lexiconWords } from "./lexicon.ts";
import { classificationMetrics } from "./metrics.ts";
import { type BagExample, predict, train } from "./softmax_regression.ts";
import { labelOf, LABELS } from "./teacher_data.ts";

export interface Setting {
  l2: number;
  balanced: boolean;
  lexicon_weight: number;
}

/** A setting with its cross-validated scores. */
export type ScoredSetting = Setting & { accuracy: number; macro_f1: number };

export const FOLDS = 5;
const L2_GRID = [1e-3, 3e-3, 1e-2, 3e-2];
const LEXICON_GRID = [0, 1, 2, 4];

/** A number in [0, 1) from a headline, stable across runs and machines. */
export function unitHash(text: string, salt = ""): number {
  return parseInt(stableId(salt + text.toLowerCase().replace(/\s+/g, " ")), 16) / 2 ** 32;
}

/** The settings to try: each one given is fixed, each one absent is searched over its grid. */
export function settingsGrid(
  fixed: { l2?: number | undefined; balanced?: boolean | undefined; lexiconWeight?: number | undefined },
): Setting[] {
  const grid: Setting[] = [];
  for (const l2 of fixed.l2 !== undefined ? [fixed.l2] : L2_GRID) {
    for (const balanced of fixed.balanced !== undefined ? [fixed.balanced] : [false, true]) {
      for (const lexicon_weight of fixed.lexiconWeight !== undefined ? [fixed.lexiconWeight] : LEXICON_GRID) {
        grid.push({ l2, balanced, lexicon_weight });
      }
    }
  }
  return grid;
}

/**
 * The lexicon as a prior on the weights: a word scored s pushes bullish up and bearish down by
 * `weight · s / 5` (its negated twin the other way), and the training data corrects it where the
 * teacher disagrees. Bigram rows have no prior.
 */
export function lexiconPrior(vocab: readonly string[], weight: number, spec: FeatureSpec): Float32Array {
  const C = LABELS.length;
  const prior = new Float32Array(featureRows(spec) * C);
  if (weight === 0) return prior;
  const words = lexiconWords();
  const twins = spec.negationWindow > 0;
  vocab.forEach((w, i) => {
    const s = words.get(w);
    if (s === undefined) return;
    prior[i * C + labelOf(1)] = (weight * s) / 5;
    prior[i * C + labelOf(-1)] = (-weight * s) / 5;
    if (!twins) return;
    prior[(i + vocab.length) * C + labelOf(1)] = (-weight * s) / 5;
    prior[(i + vocab.length) * C + labelOf(-1)] = (weight * s) / 5;
  });
  return prior;
}

/** Each setting of `grid` scored on the held-out folds of `train_`, pooled over the folds. */
export function crossValidate(
  train_: readonly (BagExample & { headline: string })[],
  vocab: readonly string[],
  spec: FeatureSpec,
  epochs: number,
  grid: Setting[],
): ScoredSetting[] {
  const rows = featureRows(spec);
  return grid.map(({ l2, balanced, lexicon_weight }) => {
    const prior = lexiconPrior(vocab, lexicon_weight, spec);
    const truth: number[] = [], predicted: number[] = [];
    for (let k = 0; k < FOLDS; k++) {
      const inFold = (d: { headline: string }) => Math.floor(unitHash(d.headline, "fold") * FOLDS) === k;
      const fit = train_.filter((d) => !inFold(d));
      const held = train_.filter(inFold);
      if (fit.length === 0 || held.length === 0) continue;
      const m = train(fit, { classes: LABELS.length, vocabSize: rows, l2, balanced, epochs, prior });
      for (const d of held) {
        truth.push(d.label);
        predicted.push(predict(m, d.ids));
      }
    }
    const metrics = classificationMetrics(truth, predicted, LABELS);
    return { l2, balanced, lexicon_weight, accuracy: metrics.accuracy, macro_f1: metrics.macro_f1 };
  });
}
