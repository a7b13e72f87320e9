/**
 * Distillation: a compact headline classifier trained on a large model's labels, written as a
 * transformers.js model directory and checked through transformers.js before it is kept.
 *
 * The teachers' label habits are reconciled on reading (./teacher_data.ts). The split is by
 * headline (a stable hash, ./held_out.ts), so no headline is on both sides; the regularisation,
 * class weighting and lexicon prior are chosen by cross-validation on the training side only
 * (./cross_validation.ts). The model reads words (with number shapes), negated words and, when
 * asked, word bigrams (./bag_features.ts), all computed inside its ONNX graph from the token ids;
 * it must stay within {@linkcode MAX_MODEL_BYTES} on disk. The held-out report sets the model beside two
 * baselines: the npm:sentiment lexicon and the training majority class.
 */
import {
  buildBigrams,
  featureIds,
  featureRows,
  type FeatureSpec,
  NEGATORS,
  NO_BIGRAMS,
} from "./bag_features.ts";
import { bagOfWordsOnnx } from "./bow_onnx.ts";
import {
  crossValidate,
  FOLDS,
  lexiconPrior,
  type ScoredSetting,
  type Setting,
  settingsGrid,
} from "./cross_validation.ts";
import { isHeldOut } from "./held_out.ts";
import { lexiconSignal, lexiconWords } from "./lexicon.ts";
import { type ClassificationMetrics, classificationMetrics } from "./metrics.ts";
import { type BagExample, logits, predict, softmax, type SoftmaxModel, train } from "./softmax_regression.ts";
import { labelOf, LABELS, type TeacherData, type TeacherHabit } from "./teacher_data.ts";
import { AutoTokenizer, configureFor, pipeline } from "./transformers_env.ts";
import { buildVocab, numberShape, tokenizerFiles } from "./vocab.ts";

/** The edge budget: the model directory's files together, in bytes. */
export const MAX_MODEL_BYTES = 1_000_000;

export interface DistillOptions {
  /** Share of headlines held out for the report. */
  testFraction: number;
  /** A word enters the vocabulary after this many training headlines use it. */
  minCount: number;
  maxVocab: number;
  /** Tokens per headline the model reads. */
  maxLength: number;
  epochs: number;
  /** A bigram gets a weight after this many training headlines use it (0: no bigrams). */
  bigramMinCount: number;
  maxBigrams: number;
  /** Tokens after a negator read as negated (0: no negation). */
  negationWindow: number;
  /** Read each run of digits as `0` (see ./vocab.ts). */
  numberShapes: boolean;
  /** Read a word outside the vocabulary as its stem and ending (see ./vocab.ts). @default true */
  inflections?: boolean | undefined;
  /** Fixed settings; each is chosen by cross-validation when absent. */
  l2?: number | undefined;
  balanced?: boolean | undefined;
  /** Logit weight of the lexicon prior for a word scored ±5 (0: no prior). */
  lexiconWeight?: number | undefined;
  onProgress?: (step: string) => void;
  /** Keep the model even when it does not beat both baselines. */
  keepWorse?: boolean | undefined;
}

/** Within {@linkcode MAX_MODEL_BYTES} at the largest vocabulary and bigram table these allow. */
export const DEFAULT_DISTILL: DistillOptions = {
  testFraction: 0.2,
  minCount: 2,
  maxVocab: 10_000,
  maxLength: 64,
  epochs: 300,
  // Bigrams lowered held-back macro-F1 on the shared teacher files (README, "news:distill"); off.
  bigramMinCount: 0,
  maxBigrams: 4_000,
  negationWindow: 3,
  numberShapes: true,
};

export interface DistillReport {
  model_dir: string;
  teachers: string[];
  /** Each teacher's label habit, and the padding zeros reconciling it dropped. */
  habits: TeacherHabit[];
  data: { lines: number; skipped: number; examples: number; headlines: number; no_coin: number };
  split: { test_fraction: number; train_examples: number; test_examples: number };
  vocab_size: number;
  features: { number_shapes: boolean; negation_window: number; bigrams: number; weight_rows: number };
  /** The model directory's size on disk (0 when it was not written). */
  size_bytes: number;
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

async function writeJson(path: string, value: unknown, { compact = false } = {}): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(value, null, compact ? 0 : 2) + "\n");
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    total += e.isDirectory ? await directoryBytes(path) : (await Deno.stat(path)).size;
  }
  return total;
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
  const isTest = (h: string) => isHeldOut(h, opts.testFraction);
  const trainHeadlines = [...new Set(data.examples.map((e) => e.headline).filter((h) => !isTest(h)))];
  if (trainHeadlines.length === 0) {
    throw new Error("every headline fell in the test split: lower --test-fraction");
  }
  const shaped = opts.numberShapes ? trainHeadlines.map(numberShape) : trainHeadlines;
  const vocab = buildVocab(shaped, opts.minCount, opts.maxVocab, lexiconWords().keys(), {
    inflections: opts.inflections ?? true,
  });
  progress(`vocabulary: ${vocab.length} tokens from ${trainHeadlines.length} training headlines`);

  // Staged beside the target and renamed at the end, so a failed run leaves the old model alone.
  const staging = `${outDir}.partial-${Deno.pid}`;
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${staging}/onnx`, { recursive: true });
  try {
    const files = tokenizerFiles(vocab, opts.maxLength, { numberShapes: opts.numberShapes });
    await writeJson(`${staging}/tokenizer.json`, files.tokenizer, { compact: true });
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
    const tokenIds = new Map(vocab.map((w, i) => [w, i]));
    const spec: FeatureSpec = {
      vocabSize: vocab.length,
      negators: NEGATORS.map((w) => tokenIds.get(w)).filter((id) => id !== undefined),
      negationWindow: opts.negationWindow,
      bigrams: NO_BIGRAMS,
    };
    spec.bigrams = buildBigrams(
      trainHeadlines.map((h) => idsOf.get(h)!),
      vocab.length,
      opts.bigramMinCount,
      opts.maxBigrams,
    );
    const featuresOf = new Map([...idsOf].map(([h, ids]) => [h, featureIds(spec, ids)]));
    const rows = featureRows(spec);
    progress(
      `${rows} weight rows: ${vocab.length} words, ${spec.bigrams.keys.length - 1} bigrams` +
        (spec.negationWindow > 0 ? `, negated words` : ""),
    );
    const examples = data.examples.map((e) => ({
      headline: e.headline,
      ids: featuresOf.get(e.headline)!,
      label: e.label,
    }));
    const trainSet = examples.filter((e) => !isTest(e.headline));
    const testSet = examples.filter((e) => isTest(e.headline));
    if (testSet.length === 0) throw new Error("the test split is empty: raise --test-fraction or add data");

    const grid = settingsGrid(opts);
    progress(`cross-validating ${grid.length} settings over ${FOLDS} folds of ${trainSet.length} examples`);
    const cv = grid.length > 1 ? crossValidate(trainSet, vocab, spec, opts.epochs, grid) : [];
    const best = grid.length > 1
      ? cv.reduce((a, b) => (b.macro_f1 + b.accuracy > a.macro_f1 + a.accuracy ? b : a))
      : grid[0]!;
    progress(`training with l2=${best.l2} balanced=${best.balanced} lexicon_weight=${best.lexicon_weight}`);
    const model = train(trainSet, {
      classes: LABELS.length,
      vocabSize: rows,
      l2: best.l2,
      balanced: best.balanced,
      epochs: opts.epochs,
      prior: lexiconPrior(vocab, best.lexicon_weight, spec),
    });

    const truth = testSet.map((e) => e.label);
    const counts = new Array<number>(LABELS.length).fill(0);
    for (const e of trainSet) counts[e.label]!++;
    const majority = counts.indexOf(Math.max(...counts));
    const report: DistillReport = {
      model_dir: outDir,
      teachers: data.teachers,
      habits: data.habits,
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
      features: {
        number_shapes: opts.numberShapes,
        negation_window: opts.negationWindow,
        bigrams: spec.bigrams.keys.length - 1,
        weight_rows: rows,
      },
      size_bytes: 0,
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
        spec,
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
        features: report.features,
        test: { accuracy: m.accuracy, macro_f1: m.macro_f1 },
      },
    });
    report.size_bytes = await directoryBytes(staging);
    if (report.size_bytes > MAX_MODEL_BYTES) {
      throw new Error(
        `the model takes ${report.size_bytes} bytes, over the ${MAX_MODEL_BYTES}-byte edge budget: ` +
          "use fewer words (--min-count) or bigrams (--bigram-min-count)",
      );
    }
    await writeJson(`${staging}/distill_report.json`, report);
    report.size_bytes = await directoryBytes(staging);

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
