/**
 * Distillation: a compact headline classifier trained on a large model's labels, written as a
 * transformers.js model directory and checked through transformers.js before it is kept.
 *
 * The split is by headline (a stable hash), so no headline is on both sides; the regularisation,
 * class weighting and lexicon prior are chosen by cross-validation on the training side only
 * (./cross_validation.ts). The held-out report sets the model beside two baselines: the
 * npm:sentiment lexicon and the training majority class.
 */
import { bagOfWordsOnnx } from "./bow_onnx.ts";
import {
  crossValidate,
  FOLDS,
  lexiconPrior,
  type ScoredSetting,
  type Setting,
  settingsGrid,
  unitHash,
} from "./cross_validation.ts";
import { lexiconSignal, lexiconWords } from "./lexicon.ts";
import { type ClassificationMetrics, classificationMetrics } from "./metrics.ts";
import { type BagExample, logits, predict, softmax, type SoftmaxModel, train } from "./softmax_regression.ts";
import { labelOf, LABELS, type TeacherData } from "./teacher_data.ts";
import { AutoTokenizer, configureFor, pipeline } from "./transformers_env.ts";
import { buildVocab, tokenizerFiles } from "./vocab.ts";

export interface DistillOptions {
  /** Share of headlines held out for the report. */
  testFraction: number;
  /** A word enters the vocabulary after this many training headlines use it. */
  minCount: number;
  maxVocab: number;
  /** Tokens per headline the model reads. */
  maxLength: number;
  epochs: number;
  /** Fixed settings; each is chosen by cross-validation when absent. */
  l2?: number | undefined;
  balanced?: boolean | undefined;
  /** Logit weight of the lexicon prior for a word scored ±5 (0: no prior). */
  lexiconWeight?: number | undefined;
  onProgress?: (step: string) => void;
  /** Keep the model even when it does not beat both baselines. */
  keepWorse?: boolean | undefined;
}

export const DEFAULT_DISTILL: DistillOptions = {
  testFraction: 0.2,
  minCount: 2,
  maxVocab: 20_000,
  maxLength: 64,
  epochs: 300,
};

export interface DistillReport {
  model_dir: string;
  teachers: string[];
  data: { lines: number; skipped: number; examples: number; headlines: number; no_coin: number };
  split: { test_fraction: number; train_examples: number; test_examples: number };
  vocab_size: number;
  params: Setting & { epochs: number };
  cross_validation: ScoredSetting[];
  test: {
    model: ClassificationMetrics;
    lexicon: ClassificationMetrics;
    majority: ClassificationMetrics & { predicts: string };
  };
  beats_baselines: boolean;
  /** Whether the model directory was written (it is not when the baselines win). */
  kept: boolean;
}

function evaluate(model: SoftmaxModel, data: readonly BagExample[]): ClassificationMetrics {
  return classificationMetrics(data.map((d) => d.label), data.map((d) => predict(model, d.ids)), LABELS);
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
}

/**
 * Trains on `data`, writes the model directory to `outDir` (replacing it only when the new model
 * is complete and verified) and returns the report.
 */
export async function distill(
  data: TeacherData,
  outDir: string,
  opts: DistillOptions,
): Promise<DistillReport> {
  const progress = opts.onProgress ?? (() => {});
  if (data.examples.length === 0) {
    throw new Error(`the teacher data has no labelled (headline, coin) examples (${data.lines} lines read)`);
  }
  const isTest = (h: string) => unitHash(h) < opts.testFraction;
  const trainHeadlines = [...new Set(data.examples.map((e) => e.headline).filter((h) => !isTest(h)))];
  if (trainHeadlines.length === 0) {
    throw new Error("every headline fell in the test split: lower --test-fraction");
  }
  const vocab = buildVocab(trainHeadlines, opts.minCount, opts.maxVocab, lexiconWords().keys());
  progress(`vocabulary: ${vocab.length} tokens from ${trainHeadlines.length} training headlines`);

  // Staged beside the target and renamed at the end, so a failed run leaves the old model alone.
  const staging = `${outDir}.partial-${Deno.pid}`;
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${staging}/onnx`, { recursive: true });
  try {
    const files = tokenizerFiles(vocab, opts.maxLength);
    await writeJson(`${staging}/tokenizer.json`, files.tokenizer);
    await writeJson(`${staging}/tokenizer_config.json`, files.config);

    // Features come from the tokenizer transformers.js will use at inference, so they match.
    const { id } = await configureFor(staging, "");
    const tokenizer = await AutoTokenizer.from_pretrained(id);
    const idsOf = new Map<string, number[]>();
    for (const e of data.examples) {
      if (!idsOf.has(e.headline)) {
        idsOf.set(e.headline, (tokenizer.encode(e.headline) as number[]).slice(0, opts.maxLength));
      }
    }
    const examples = data.examples.map((e) => ({
      headline: e.headline,
      ids: idsOf.get(e.headline)!,
      label: e.label,
    }));
    const trainSet = examples.filter((e) => !isTest(e.headline));
    const testSet = examples.filter((e) => isTest(e.headline));
    if (testSet.length === 0) throw new Error("the test split is empty: raise --test-fraction or add data");

    const grid = settingsGrid(opts);
    progress(`cross-validating ${grid.length} settings over ${FOLDS} folds of ${trainSet.length} examples`);
    const cv = grid.length > 1 ? crossValidate(trainSet, vocab, opts.epochs, grid) : [];
    const best = grid.length > 1
      ? cv.reduce((a, b) => (b.macro_f1 + b.accuracy > a.macro_f1 + a.accuracy ? b : a))
      : grid[0]!;
    progress(`training with l2=${best.l2} balanced=${best.balanced} lexicon_weight=${best.lexicon_weight}`);
    const model = train(trainSet, {
      classes: LABELS.length,
      vocabSize: vocab.length,
      l2: best.l2,
      balanced: best.balanced,
      epochs: opts.epochs,
      prior: lexiconPrior(vocab, best.lexicon_weight),
    });

    const truth = testSet.map((e) => e.label);
    const counts = new Array<number>(LABELS.length).fill(0);
    for (const e of trainSet) counts[e.label]!++;
    const majority = counts.indexOf(Math.max(...counts));
    const report: DistillReport = {
      model_dir: outDir,
      teachers: data.teachers,
      data: {
        lines: data.lines,
        skipped: data.skipped,
        examples: data.examples.length,
        headlines: idsOf.size,
        no_coin: data.noCoin,
      },
      split: {
        test_fraction: opts.testFraction,
        train_examples: trainSet.length,
        test_examples: testSet.length,
      },
      vocab_size: vocab.length,
      params: { ...best, epochs: opts.epochs },
      cross_validation: cv,
      test: {
        model: evaluate(model, testSet),
        lexicon: classificationMetrics(truth, testSet.map((e) => labelOf(lexiconSignal(e.headline))), LABELS),
        majority: {
          ...classificationMetrics(truth, truth.map(() => majority), LABELS),
          predicts: LABELS[majority]!,
        },
      },
      beats_baselines: false,
      kept: false,
    };
    const { model: m, lexicon, majority: maj } = report.test;
    report.beats_baselines = [lexicon, maj].every((b) => m.accuracy > b.accuracy && m.macro_f1 > b.macro_f1);
    report.kept = report.beats_baselines || opts.keepWorse === true;
    if (!report.kept) {
      await Deno.remove(staging, { recursive: true });
      return report;
    }

    await Deno.writeFile(
      `${staging}/onnx/model.onnx`,
      bagOfWordsOnnx(
        model,
        `bag-of-words headline classifier distilled from ${data.teachers.join(", ") || "teacher labels"}`,
      ),
    );
    await writeJson(`${staging}/config.json`, {
      model_type: "bert",
      architectures: ["BertForSequenceClassification"],
      id2label: Object.fromEntries(LABELS.map((l, i) => [String(i), l])),
      label2id: Object.fromEntries(LABELS.map((l, i) => [l, i])),
      vocab_size: vocab.length,
      max_position_embeddings: opts.maxLength,
      "transformers.js_config": { dtype: "fp32" },
      distilled: {
        teachers: data.teachers,
        params: report.params,
        test: { accuracy: m.accuracy, macro_f1: m.macro_f1 },
      },
    });
    await writeJson(`${staging}/distill_report.json`, report);

    progress("checking the model through transformers.js");
    await verifyThroughTransformers(staging, model, testSet.slice(0, 200));

    await Deno.remove(outDir, { recursive: true }).catch(() => {});
    await Deno.rename(staging, outDir);
    return report;
  } catch (e) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    throw e;
  }
}

/** The written model, run by transformers.js, must give the trained model's probabilities. */
async function verifyThroughTransformers(
  dir: string,
  model: SoftmaxModel,
  sample: readonly { headline: string; ids: number[] }[],
): Promise<void> {
  const { id } = await configureFor(dir, "");
  const classifier = await pipeline("text-classification", id, { dtype: "fp32", device: "auto" });
  try {
    const outputs = await classifier(sample.map((s) => s.headline), { top_k: LABELS.length }) as unknown as {
      label: string;
      score: number;
    }[][];
    sample.forEach((s, i) => {
      const expected = softmax(logits(model, s.ids));
      for (const { label, score } of outputs[i]!) {
        const want = expected[LABELS.indexOf(label as typeof LABELS[number])]!;
        if (!(Math.abs(score - want) <= 1e-4)) {
          throw new Error(
            `the exported model disagrees with the trained one on "${s.headline}": ${label} ${score} vs ${want}`,
          );
        }
      }
    });
  } finally {
    await classifier.dispose();
  }
}
