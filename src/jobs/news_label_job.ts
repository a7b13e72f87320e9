/**
 * `news:label`: each headline of a news file asked of an LLM teacher, its checked answer appended
 * to `--out` as one line of the instruction dataset `news:distill` reads (`input` the headline,
 * `output` the answer as a JSON string, `teacher_model_name` the model). Headlines whose id is in
 * `--out` already are skipped, so an interrupted run continues where it stopped. A headline the
 * LLM could not label (a bad answer twice, or no answer through the retries) is appended to
 * `--errors` instead, counted, and asked again by the next run; nothing is guessed for it.
 */
import { checkOutputFile, type LabelConfig } from "../config.ts";
import type { NewsItem } from "../domain/news.ts";
import { INSTRUCTION } from "../news_model/llm/answer_schema.ts";
import type { LlmClientOptions } from "../news_model/llm/llm_client.ts";
import { llmLabeller } from "../news_model/llm/llm_classifier.ts";
import { forEachConcurrently } from "../news_model/llm/pool.ts";
import type { Logger } from "../util/log.ts";
import { Progress } from "../util/progress.ts";
import { JsonlAppender, type JsonlKind } from "./news_label_file.ts";
import { readNewsFile } from "./news_source.ts";

/** Failures logged one by one before only the count goes on. */
const FAILURES_LOGGED = 5;

export interface LabelSummary {
  /** Headlines in the file. */
  headlines: number;
  /** Already in `--out`, not asked again. */
  skipped: number;
  labelled: number;
  failed: number;
  interrupted: boolean;
  seconds: number;
}

/** One line of the instruction dataset. */
function labelLine(item: NewsItem, output: unknown, teacher: string): Record<string, unknown> {
  return {
    id: item.id,
    instruction: INSTRUCTION,
    input: item.title,
    output: JSON.stringify(output),
    teacher_model_name: teacher,
    published_at: new Date(item.published_at).toISOString(),
    currencies: item.currencies,
  };
}

// An instruction dataset of other teachers (no ids) may be added to; a news file may not.
const LABELS_FILE: JsonlKind = { flag: "out", what: "a labelled headline", fields: ["input", "output"] };
const ERRORS_FILE: JsonlKind = {
  flag: "errors",
  what: "a headline news:label could not label",
  fields: ["input", "error"],
};

/** Labels the file's new headlines; resolves with what was done, also when `signal` aborts. */
export async function labelNews(
  cfg: LabelConfig,
  log: Logger,
  signal: AbortSignal,
  tuning: Pick<LlmClientOptions, "maxAttempts" | "backoff"> = {},
): Promise<LabelSummary> {
  // Checked before the first request: a failed headline would otherwise find a missing --errors dir.
  await checkOutputFile("out", cfg.out);
  await checkOutputFile("errors", cfg.errors);
  await JsonlAppender.check(cfg.out, LABELS_FILE);
  await JsonlAppender.check(cfg.errors, ERRORS_FILE);
  const file = await readNewsFile(cfg.file, cfg.skipBadLines);
  const items = await Array.fromAsync(file.stream);
  const out = await JsonlAppender.open(cfg.out, LABELS_FILE);
  if (out.trimmed) log.warn(`${cfg.out}: cut off a torn last line (${out.trimmed} bytes) from a crash`);
  // Opened at the first failure, so a clean run leaves no empty errors file behind.
  let errors: Promise<JsonlAppender> | undefined;
  const recordError = async (row: Record<string, unknown>) => {
    errors ??= JsonlAppender.open(cfg.errors, ERRORS_FILE).then((f) => f.appender);
    await (await errors).append(row);
  };
  const todo = items.filter((i) => !out.ids.has(i.id));
  const pending = cfg.limit === undefined ? todo : todo.slice(0, cfg.limit);
  const summary: LabelSummary = {
    headlines: items.length,
    skipped: items.length - todo.length,
    labelled: 0,
    failed: 0,
    interrupted: false,
    seconds: 0,
  };
  log.info(
    `${items.length} headlines in ${cfg.file}; ${summary.skipped} already in ${cfg.out}; ` +
      `labelling ${pending.length} with ${cfg.newsModel}, ${cfg.llm.concurrency} at once` +
      (cfg.llm.rate ? `, ${cfg.llm.rate}/s at most` : ""),
  );
  const labeller = llmLabeller(cfg.newsModel, cfg.llm, log, tuning);
  const progress = new Progress("labelling", log);
  const started = performance.now();
  const tick = () => {
    const done = summary.labelled + summary.failed;
    progress.update({
      fraction: pending.length ? done / pending.length : 1,
      detail: `${summary.labelled} labelled · ${summary.failed} failed`,
      rate: done / Math.max(0.001, (performance.now() - started) / 1000),
    });
  };
  try {
    await forEachConcurrently(pending, cfg.llm.concurrency, async (item, _i, stop) => {
      const label = await labeller.label(item.title, stop);
      if (label.ok) {
        await out.appender.append(labelLine(item, { news_signals: label.signals }, label.model));
        summary.labelled++;
      } else {
        await recordError({
          id: item.id,
          input: item.title,
          model: cfg.newsModel,
          kind: label.kind,
          error: label.error,
          at: new Date().toISOString(),
        });
        if (summary.failed++ < FAILURES_LOGGED) {
          log.warn(`could not label ${item.id} ${JSON.stringify(item.title)}: ${label.error}`);
        }
      }
      tick();
    }, signal);
  } catch (e) {
    if (!signal.aborted) throw e;
    summary.interrupted = true;
  } finally {
    progress.done();
    await out.appender.close();
    await (await errors?.catch(() => undefined))?.close();
    summary.seconds = (performance.now() - started) / 1000;
  }
  const { requests, retries, throttled, timeouts } = labeller.client.stats;
  const rate = (summary.labelled + summary.failed) / Math.max(0.001, summary.seconds);
  const line = `${summary.labelled} headlines labelled in ${summary.seconds.toFixed(1)} s ` +
    `(${rate.toFixed(1)}/s) into ${cfg.out}; ${summary.skipped} were there already; ` +
    `${summary.failed} failed` +
    (summary.failed ? ` (recorded in ${cfg.errors}; a rerun asks them again)` : "") +
    `; ${requests} requests, ${retries} retries (${throttled} throttled, ${timeouts} timed out), ` +
    `${labeller.stats.badReplies} bad answers, ${labeller.stats.droppedCoins} non-ticker coins left out`;
  if (summary.interrupted) log.warn(`interrupted: ${line}; run the same command again to continue`);
  else log.info(`done: ${line}`);
  return summary;
}
