/**
 * `news`: headlines in batches through the classifier into both stores. Each batch is written
 * and only then marked as seen, so a crash repeats a batch rather than losing it.
 */
import type { NewsConfig } from "../config.ts";
import type { NewsItem } from "../domain/news.ts";
import { loadNewsClassifier } from "../news_model/classifier.ts";
import { openFeatureStores } from "../stores/feature_stores.ts";
import { SeenIds } from "../stores/seen_ids.ts";
import { NewsSignalStream } from "../transforms/news_signals.ts";
import { BatchStream } from "../util/batches.ts";
import type { Logger } from "../util/log.ts";
import { Progress } from "../util/progress.ts";
import { newsFileSummary, NewsTally } from "./news_report.ts";
import { cryptoPanicItems, readNewsFile } from "./news_source.ts";

/** Runs until the file is classified, or, polling the API, until `signal` aborts. */
export async function classifyNews(cfg: NewsConfig, log: Logger, signal: AbortSignal): Promise<void> {
  await Deno.mkdir(cfg.dataDir, { recursive: true });
  // A file is read whole before the model loads, so a bad one fails at once.
  const file = cfg.file === undefined
    ? undefined
    : { path: cfg.file, ...await readNewsFile(cfg.file, cfg.skipBadLines) };

  const started = performance.now();
  const classifier = await loadNewsClassifier(cfg.newsModel, { cacheDir: `${cfg.dataDir}/hf-cache` });
  log.info(`news model ${classifier.name} loaded in ${Math.round(performance.now() - started)} ms`);
  const stores = await openFeatureStores(cfg.dataDir);
  let seen: SeenIds | undefined;
  try {
    let items: ReadableStream<NewsItem>;
    let total: number | undefined;
    if (file !== undefined) {
      items = file.stream;
      total = file.stats.items;
      log.info(newsFileSummary(file.path, file.stats));
    } else {
      seen = await SeenIds.open(`${cfg.dataDir}/news_seen.json`);
      items = cryptoPanicItems(cfg, seen, log, signal);
    }

    const tally = new NewsTally();
    const progress = new Progress("classifying", log);
    const batches = items
      .pipeThrough(new BatchStream<NewsItem>(cfg.batch, 250))
      .pipeThrough(new NewsSignalStream(classifier));
    for await (const batch of batches) {
      await stores.putSignals(batch.signals);
      await seen?.save();
      tally.add(batch);
      const detail = tally.detail(batch.items.at(-1)!.published_at);
      const rate = tally.headlines / Math.max(0.001, (performance.now() - started) / 1000);
      // Live polls are rare and worth a line each; a file is a bar.
      if (total === undefined) log.info(detail);
      else progress.update({ fraction: tally.headlines / total, detail, rate });
      if (signal.aborted) break;
    }
    progress.done();
    log.info(tally.summary(classifier.name, cfg.dataDir));
  } finally {
    await seen?.save();
    stores.close();
    await classifier.dispose();
  }
}
