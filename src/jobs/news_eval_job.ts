/**
 * `news:eval`: reads labelled headlines (the teacher format, habits reconciled as news:distill
 * reconciles them), keeps the split asked for, classifies each headline once with the model and
 * scores it per (headline, coin) against the labels (src/news_model/eval_report.ts).
 */
import { checkInputFile, ConfigError } from "../config.ts";
import type { EvalConfig } from "../config/news_eval.ts";
import type { Classified, NewsClassifier } from "../domain/ports.ts";
import { loadNewsClassifier } from "../news_model/classifier.ts";
import { type EvalReport, evalReport, type ScoredExample } from "../news_model/eval_report.ts";
import { isHeldOut } from "../news_model/held_out.ts";
import { LEXICON_SPEC, lexiconClassifier } from "../news_model/lexicon_classifier.ts";
import { labelOf, readTeacherData, type TeacherExample } from "../news_model/teacher_data.ts";
import type { Logger } from "../util/log.ts";
import { habitLine } from "./distill_table.ts";

/** The examples of `split`: every one, those news:distill holds back, or the others. */
export function inSplit(
  examples: readonly TeacherExample[],
  split: EvalConfig["split"],
  testFraction: number,
): TeacherExample[] {
  if (split === "all") return [...examples];
  const heldOut = split === "heldout";
  return examples.filter((e) => isHeldOut(e.headline, testFraction) === heldOut);
}

/**
 * The model's class for a headline's coin: the coin's own signal when the model names coins (an
 * LLM), else the headline's; undefined when the headline could not be classified.
 */
export function predictedClass(c: Classified, coin: string): number | undefined {
  if (c.error !== undefined) return undefined;
  return labelOf(c.coins?.find((x) => x.coin === coin)?.signal ?? c.signal);
}

async function openClassifier(cfg: EvalConfig): Promise<NewsClassifier> {
  if (cfg.newsModel === LEXICON_SPEC) return lexiconClassifier();
  return await loadNewsClassifier(cfg.newsModel, { cacheDir: `${cfg.dataDir}/hf-cache`, llm: cfg.llm });
}

export async function evaluateNews(cfg: EvalConfig, log: Logger): Promise<EvalReport> {
  for (const path of cfg.data) await checkInputFile("data", path);
  const data = await readTeacherData(cfg.data, { raw: cfg.rawLabels });
  if (data.skipped) log.warn(`${data.skipped} unreadable lines skipped, e.g. ${data.reasons.join("; ")}`);
  for (const h of data.habits) log.info(habitLine(h));
  const examples = inSplit(data.examples, cfg.split, cfg.testFraction);
  if (examples.length === 0) {
    throw new ConfigError(
      `--data holds no labelled (headline, coin) examples in the ${cfg.split} split` +
        (cfg.split === "all" ? ` (${data.lines} lines read)` : ` at --test-fraction ${cfg.testFraction}`),
    );
  }
  const headlines = [...new Set(examples.map((e) => e.headline))];

  const classifier = await openClassifier(cfg);
  const results = new Map<string, Classified>();
  const started = performance.now();
  try {
    for (let i = 0; i < headlines.length; i += cfg.batch) {
      const batch = headlines.slice(i, i + cfg.batch);
      const out = await classifier.classify(batch);
      batch.forEach((h, k) => results.set(h, out[k]!));
    }
  } finally {
    await classifier.dispose();
  }
  const ms = performance.now() - started;

  const scored: ScoredExample[] = [];
  const failed = new Set<string>();
  for (const e of examples) {
    const predicted = predictedClass(results.get(e.headline)!, e.coin);
    if (predicted === undefined) failed.add(e.headline);
    else scored.push({ ...e, predicted });
  }
  if (failed.size) {
    log.warn(`${failed.size} headlines could not be classified; they are left out of every score`);
  }
  if (scored.length === 0) {
    throw new Error(`${classifier.name} classified none of the ${headlines.length} headlines`);
  }
  const report = evalReport(scored, {
    model: cfg.newsModel,
    data: cfg.data,
    split: cfg.split,
    testFraction: cfg.testFraction,
    rawLabels: cfg.rawLabels,
    resamples: cfg.resamples,
    seed: cfg.seed,
    habits: data.habits,
    unclassified: failed.size,
  });
  report.speed = {
    headlines: headlines.length,
    ms: Math.round(ms),
    per_second: Math.round(headlines.length / Math.max(ms / 1000, 1e-3)),
  };
  return report;
}
