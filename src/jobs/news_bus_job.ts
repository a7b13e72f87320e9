/**
 * `news --bus kafka`: the news job as stages over Kafka (src/bus/news_stages.ts), per `--stage`:
 * `headlines` publishes the source's headlines, `signals` classifies them, `store` writes the
 * signals to both stores; `all` runs the three in one process over the broker.
 *
 * Polling the API, a headline's id is marked seen once the broker has it, as the embedded job marks
 * it once its signals are written: a restart publishes only new posts, and a crash in between
 * publishes a few again, which the signals stage drops. A file is published whole on each run; its
 * repeats are dropped the same way. With `all`, a file run waits until both consumer stages have
 * consumed what it published, then exits; the consumer stages alone run until Ctrl-C.
 */
import { reportStages } from "../bus/stage_progress.ts";
import { type Bus, openBus, waitForCatchUp } from "../bus/bus.ts";
import type { StageRun } from "../bus/consumer_stage.ts";
import {
  headlinesPublisher,
  NEWS_GROUPS,
  startNewsSignalsStage,
  startNewsStoreStage,
} from "../bus/news_stages.ts";
import type { NewsConfig } from "../config.ts";
import type { NewsItem } from "../domain/news.ts";
import { type FeatureStores, openFeatureStores } from "../stores/feature_stores.ts";
import type { SeenIds } from "../stores/seen_ids.ts";
import { whenAborted } from "../util/abortable.ts";
import { BatchStream } from "../util/batches.ts";
import type { Logger } from "../util/log.ts";
import { loadClassifier, openSeenIds } from "./news_job.ts";
import { newsFileSummary } from "./news_report.ts";
import { cryptoPanicItems, readNewsFile } from "./news_source.ts";

/** Headlines per send at most: a file goes in few requests, a poll's posts as soon as they arrive. */
const PUBLISH_BATCH = 1000;

export async function newsOverBus(cfg: NewsConfig, log: Logger, signal: AbortSignal): Promise<void> {
  const publishes = cfg.stage === "headlines" || cfg.stage === "all";
  const classifies = cfg.stage === "signals" || cfg.stage === "all";
  const stores = cfg.stage === "store" || cfg.stage === "all";
  await Deno.mkdir(cfg.dataDir, { recursive: true });
  // A file is read whole before anything connects, so a bad one fails at once.
  const file = publishes && cfg.file !== undefined
    ? { path: cfg.file, ...await readNewsFile(cfg.file, cfg.skipBadLines) }
    : undefined;
  const classifier = classifies ? await loadClassifier(cfg, log) : undefined;
  let bus: Bus | undefined;
  let opened: FeatureStores | undefined;
  let seen: SeenIds | undefined;
  const runs: StageRun[] = [];
  try {
    bus = await openBus(cfg, log, signal, ["news", "news_signals"]);
    const options = { dataDir: cfg.dataDir, deadlineMs: cfg.busDeadlineMs, log, signal };
    if (classifier) runs.push(await startNewsSignalsStage(bus, classifier, cfg.batch, options));
    if (stores) {
      opened = await openFeatureStores(cfg.dataDir);
      runs.push(await startNewsStoreStage(bus, opened, options));
    }
    // A stage that stops on its own failed (the cluster stayed away): that ends the task.
    const failed = Promise.race(runs.map((r) => r.done.then(() => new Promise<never>(() => {}))));
    if (publishes) {
      let items: ReadableStream<NewsItem>;
      if (file) {
        log.info(newsFileSummary(file.path, file.stats));
        items = file.stream;
      } else {
        seen = await openSeenIds(cfg);
        items = cryptoPanicItems(cfg, seen, log, signal);
      }
      await Promise.race([publishHeadlines(bus, items, seen, log, signal), failed]);
      if (file && cfg.stage === "all" && !signal.aborted) {
        const p = bus.groupPrefix;
        await Promise.race([
          waitForCatchUp(bus, log, cfg.busDeadlineMs, signal, [
            { group: `${p}${NEWS_GROUPS.signals}`, topic: bus.topics.news, what: "headlines" },
            { group: `${p}${NEWS_GROUPS.store}`, topic: bus.topics.news_signals, what: "signals" },
          ]),
          failed,
        ]);
      }
    } else {
      const quiet = reportStages(runs, log);
      try {
        await Promise.race([whenAborted(signal), failed]);
      } finally {
        quiet();
      }
    }
  } finally {
    await Promise.all(runs.map((r) => r.stop()));
    for (const r of runs) log.info(`stage stopped: ${JSON.stringify(r.stats)}`);
    await seen?.save();
    await bus?.close();
    opened?.close();
    await classifier?.dispose();
  }
}

/** `items` to the `news` topic in batches; a poll's ids are marked seen once the broker has them. */
async function publishHeadlines(
  bus: Bus,
  items: ReadableStream<NewsItem>,
  seen: SeenIds | undefined,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  // No seen ids: the headlines come from a file.
  const publisher = headlinesPublisher(bus, seen === undefined);
  let published = 0;
  for await (const batch of items.pipeThrough(new BatchStream<NewsItem>(PUBLISH_BATCH, 250))) {
    await publisher.send(batch);
    published += batch.length;
    if (seen) {
      seen.written(batch.map((i) => i.id));
      await seen.save();
      log.info(`${batch.length} headlines published to ${bus.topics.news} (${published} in all)`);
    }
    if (signal.aborted) break;
  }
  log.info(`done: ${published} headlines published to ${bus.topics.news}`);
}
