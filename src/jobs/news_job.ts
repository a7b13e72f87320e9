/**
 * `news`: headlines in batches through the classifier into both stores. Each batch is written
 * and only then marked as seen, so a crash repeats a batch rather than losing it. Writes run
 * behind the classifier (./write_behind.ts): the batches classified while one write commits go
 * together in the next, since a commit's sync, not its size, is what a store write costs.
 * Over Kafka (`--bus kafka`) the same steps run as stages instead (./news_bus_job.ts).
 */
import type { NewsConfig } from "../config.ts";
import type { NewsItem } from "../domain/news.ts";
import type { NewsClassifier } from "../domain/ports.ts";
import { loadNewsClassifier } from "../news_model/classifier.ts";
import { openFeatureStores } from "../stores/feature_stores.ts";
import { SeenIds } from "../stores/seen_ids.ts";
import { type ClassifiedBatch, NewsSignalStream } from "../transforms/news_signals.ts";
import { BatchStream } from "../util/batches.ts";
import type { Logger } from "../util/log.ts";
import { Progress } from "../util/progress.ts";
import { newsFileSummary, NewsTally } from "./news_report.ts";
import { cryptoPanicItems, readNewsFile } from "./news_source.ts";
import { WriteBehind } from "./write_behind.ts";

/** Headlines classified ahead of the writes at most, before the classifier waits for them. */
const MAX_UNWRITTEN = 8192;

/** `--news-model`, loaded (a hub model is cached in the data dir); logs how long that took. */
export async function loadClassifier(cfg: NewsConfig, log: Logger): Promise<NewsClassifier> {
  const started = performance.now();
  const classifier = await loadNewsClassifier(cfg.newsModel, {
    cacheDir: `${cfg.dataDir}/hf-cache`,
    llm: cfg.llm,
  });
  log.info(`news model ${classifier.name} loaded in ${Math.round(performance.now() - started)} ms`);
  return classifier;
}

/** The ids of the posts already handed on, each saved only once `written()` says so. */
export function openSeenIds(cfg: NewsConfig): Promise<SeenIds> {
  return SeenIds.open(`${cfg.dataDir}/news_seen.json`, undefined, { untilWritten: true });
}

/**
 * Runs until the file is classified, or, polling the API, until `signal` aborts. Resolves with the
 * exit status: 0, or 130 when `signal` stopped a file before its end.
 */
export async function classifyNews(cfg: NewsConfig, log: Logger, signal: AbortSignal): Promise<number> {
  await Deno.mkdir(cfg.dataDir, { recursive: true });
  // A file is read whole before the model loads, so a bad one fails at once.
  const file = cfg.file === undefined
    ? undefined
    : { path: cfg.file, ...await readNewsFile(cfg.file, cfg.skipBadLines) };

  const started = performance.now();
  const classifier = await loadClassifier(cfg, log);
  const stores = await openFeatureStores(cfg.dataDir);
  let seen: SeenIds | undefined;
  let writer: WriteBehind<ClassifiedBatch> | undefined;
  try {
    let items: ReadableStream<NewsItem>;
    let total: number | undefined;
    if (file !== undefined) {
      items = file.stream;
      total = file.stats.items;
      log.info(newsFileSummary(file.path, file.stats));
    } else {
      seen = await openSeenIds(cfg);
      items = cryptoPanicItems(cfg, seen, log, signal);
    }

    const tally = new NewsTally();
    const progress = new Progress("classifying", log);
    // The batches classified since the last write: their signals to both stores, then their ids seen.
    const write = async (written: ClassifiedBatch[]) => {
      await stores.putSignals(written.flatMap((b) => b.signals));
      seen?.written(written.flatMap((b) => b.items.map((i) => i.id)));
      await seen?.save();
      for (const batch of written) tally.add(batch);
      const detail = tally.detail(written.at(-1)!.items.at(-1)!.published_at);
      const rate = tally.headlines / Math.max(0.001, (performance.now() - started) / 1000);
      // Live polls are rare and worth a line each; a file is a bar.
      if (total === undefined) log.info(detail);
      else progress.update({ fraction: tally.headlines / total, detail, rate });
    };
    writer = new WriteBehind(write, (b) => b.items.length, MAX_UNWRITTEN);
    const batches = items
      .pipeThrough(new BatchStream<NewsItem>(cfg.batch, 250))
      // A file's posts were classified long after any poll that recorded them: the fetch they carry,
      // not this run's clock, is when they were known.
      .pipeThrough(new NewsSignalStream(classifier, file === undefined ? Date.now : undefined));
    for await (const batch of batches) {
      await writer.push(batch);
      if (signal.aborted) break;
    }
    await writer.close();
    progress.done();
    if (total !== undefined && signal.aborted && tally.headlines < total) {
      log.warn(tally.interrupted(total));
      return 130;
    }
    log.info(tally.summary(classifier.name, cfg.dataDir));
    return 0;
  } finally {
    // Nothing is closed under a write still running (the error, if any, is already on its way).
    await writer?.close().catch(() => {});
    await seen?.save();
    stores.close();
    await classifier.dispose();
  }
}
