/**
 * `news` over the bus: the embedded `news` job's steps (src/jobs/news_job.ts) as stages, so the
 * classifier and the store writer can run on other machines than the source:
 *
 * ```ts
 * // headlines: the source's headlines to `news`, keyed by id
 * // signals: headlines → per-coin signals, classified as the embedded job does
 * slices.pipeThrough(dedupeNews(state.seen)).pipeThrough(classifyHeadlines(classifier, batch))
 *   .pipeTo(publish(producer, topics.news_signals, signalMessages, saved));
 * // store: signals → both stores
 * slices.pipeTo(storeSignals(stores, saved));
 * ```
 *
 * A headline is keyed by its id, so a headline published again (a rerun of a file, a poll after a
 * crash that came before the seen ids were saved) lands in the partition that already had it, and
 * the signals stage drops it: its checkpointed state is the ids of the partition's latest
 * {@linkcode SEEN_PER_PARTITION} headlines. Signals are keyed by their headline's id too, and the
 * stores upsert them by (headline, coin), so a slice the signals stage sends again after a crash
 * writes the same rows. Both consumer stages are ./consumer_stage.ts's: checkpointed per partition
 * in the data dir and the changelog topic, malformed messages to `<topic>.dlq`.
 */
import type { NewsItem, NewsSignal } from "../domain/news.ts";
import type { NewsClassifier } from "../domain/ports.ts";
import type { Batch } from "../stages/batch.ts";
import type { FeatureStores } from "../stores/feature_stores.ts";
import { classifyBatch } from "../transforms/news_signals.ts";
import type { Logger } from "../util/log.ts";
import type { Bus } from "./bus.ts";
import { encode } from "./codec.ts";
import { runStage, type StageOptions, type StageRun, type StageSpec } from "./consumer_stage.ts";
import type { BusProducer, OutMessage } from "./producer.ts";
import { publish } from "./stages.ts";
import type { Topics } from "./topics.ts";

/**
 * Headline ids the signals stage remembers per partition: far more than a poll returns again, and
 * few enough that a checkpoint stays small (about 20 bytes an id).
 */
export const SEEN_PER_PARTITION = 20_000;

/**
 * Batches of `--batch` headlines in a slice of the signals stage at most: large enough that a
 * slice's send, checkpoint and commit cost little beside its classification, small enough that a
 * slow classifier (an LLM) still commits every few minutes.
 */
export const BATCHES_PER_SLICE = 16;

/** The consumer groups of the two consumer stages, under the topic prefix. */
export const NEWS_GROUPS = { signals: "news-signals-stage", store: "news-store-stage" } as const;

/**
 * The headlines stage's hand-off: each headline to `news`, keyed by its id; `recorded` marks a
 * file's, which the signals stage dates as the embedded job does a file's.
 */
export function headlinesPublisher(
  bus: Bus,
  recorded = false,
): { send(items: readonly NewsItem[]): Promise<void> } {
  const message = (item: NewsItem) =>
    encode(recorded ? { type: "news", data: item, recorded } : { type: "news", data: item });
  return {
    send: (items) =>
      bus.producer.send(bus.topics.news, items.map((item) => ({ key: item.id, value: message(item) }))),
  };
}

export interface NewsSignalsState {
  /** The partition's latest headline ids, oldest first. */
  seen: string[];
}

/** What the signals stage did, for its last log line. */
export interface SignalsCounts {
  classified: number;
  signals: number;
  /** Headlines dropped as seen before. */
  dropped: number;
}

/**
 * Batches of headlines (`news`) → the same batches without the headlines seen before, and the ids
 * of the latest `limit` headlines, oldest first (`state.newsSeen`).
 *
 * @param seen where to start from (a checkpoint's); not modified
 */
export function dedupeNews(
  seen: readonly string[] = [],
  limit = SEEN_PER_PARTITION,
  counts: Pick<SignalsCounts, "dropped"> = { dropped: 0 },
): TransformStream<Batch, Batch> {
  const ids = new Set(seen);
  return new TransformStream<Batch, Batch>({
    transform(batch, controller) {
      const fresh: NewsItem[] = [];
      for (const item of batch.news ?? []) {
        if (ids.has(item.id)) {
          counts.dropped++;
          continue;
        }
        ids.add(item.id);
        fresh.push(item);
        if (ids.size > limit) ids.delete(ids.values().next().value as string);
      }
      batch.news = fresh;
      batch.state.newsSeen = [...ids];
      controller.enqueue(batch);
    },
  });
}

/**
 * Batches of headlines (`news`) → the same batches with their signals (`signals`): in groups of at
 * most `size` through `classifyBatch()`, the embedded job's classification step.
 */
export function classifyHeadlines(
  classifier: NewsClassifier,
  size: number,
  counts: Omit<SignalsCounts, "dropped"> = { classified: 0, signals: 0 },
): TransformStream<Batch, Batch> {
  return new TransformStream<Batch, Batch>({
    async transform(batch, controller) {
      const news = batch.news ?? [];
      const signals: NewsSignal[] = [];
      for (let i = 0; i < news.length; i += size) {
        const group = news.slice(i, i + size);
        signals.push(...(await classifyBatch(group, classifier, Date.now, batch.newsRecorded)).signals);
      }
      counts.classified += news.length;
      counts.signals += signals.length;
      batch.signals = signals;
      controller.enqueue(batch);
    },
  });
}

const signalMessages = (batch: Batch): OutMessage[] =>
  (batch.signals ?? []).map((s) => ({ key: s.news_id, value: encode({ type: "news_signal", data: s }) }));

export function newsSignalsStage(
  topics: Topics,
  groupPrefix: string,
  deps: { classifier: NewsClassifier; batch: number; producer: BusProducer; counts?: SignalsCounts },
): StageSpec<NewsSignalsState> {
  const counts = deps.counts ?? { classified: 0, signals: 0, dropped: 0 };
  return {
    name: "news-signals",
    groupId: `${groupPrefix}${NEWS_GROUPS.signals}`,
    topic: topics.news,
    kind: "news",
    initial: () => ({ seen: [] }),
    pipeline: (slices, state, saved) =>
      slices.pipeThrough(dedupeNews(state.seen, SEEN_PER_PARTITION, counts))
        .pipeThrough(classifyHeadlines(deps.classifier, deps.batch, counts))
        .pipeTo(publish(
          deps.producer,
          topics.news_signals,
          signalMessages,
          (batch) => saved(batch, { seen: batch.state.newsSeen ?? state.seen }),
        )),
  };
}

/** The store stage's sink: a slice's signals into both stores in one `putSignals`, then `saved`. */
export function storeSignals(
  stores: Pick<FeatureStores, "putSignals">,
  saved: (batch: Batch) => Promise<void>,
  counts: { written: number } = { written: 0 },
): WritableStream<Batch> {
  return new WritableStream<Batch>({
    async write(batch) {
      const signals = batch.signals ?? [];
      if (signals.length > 0) await stores.putSignals(signals);
      counts.written += signals.length;
      await saved(batch);
    },
  });
}

export function newsStoreStage(
  topics: Topics,
  groupPrefix: string,
  stores: Pick<FeatureStores, "putSignals">,
  counts: { written: number } = { written: 0 },
): StageSpec<Record<string, never>> {
  return {
    name: "news-store",
    groupId: `${groupPrefix}${NEWS_GROUPS.store}`,
    topic: topics.news_signals,
    kind: "news_signal",
    // Nothing to carry: the stores upsert, so a signal written twice is the same row.
    initial: () => ({}),
    pipeline: (slices, state, saved) =>
      slices.pipeTo(storeSignals(stores, (batch) => saved(batch, state), counts)),
  };
}

type Common = Pick<StageOptions, "dataDir" | "deadlineMs" | "log" | "signal"> & { log: Logger };

/** A stage run that logs `report()` once it has stopped. */
function reporting(run: StageRun, log: Logger, report: () => string): StageRun {
  let stopping: Promise<void> | undefined;
  return {
    name: run.name,
    stats: run.stats,
    done: run.done,
    stop: () =>
      stopping ??= (async () => {
        await run.stop();
        log.info(report());
      })(),
  };
}

/** Starts the signals stage: `news` through `classifier` in groups of `batch` into `news_signals`. */
export async function startNewsSignalsStage(
  bus: Bus,
  classifier: NewsClassifier,
  batch: number,
  options: Common,
): Promise<StageRun> {
  const counts: SignalsCounts = { classified: 0, signals: 0, dropped: 0 };
  const spec = newsSignalsStage(bus.topics, bus.groupPrefix, {
    classifier,
    batch,
    producer: bus.producer,
    counts,
  });
  const run = await runStage(bus.kafka, spec, {
    ...options,
    dlq: bus.producer,
    sliceMessages: BATCHES_PER_SLICE * batch,
  });
  return reporting(
    run,
    options.log,
    () =>
      `signals stage: ${counts.classified} headlines classified into ${counts.signals} signals, ` +
      `${counts.dropped} seen before and dropped`,
  );
}

/** Starts the store stage: `news_signals` into `stores` (opened and closed by the caller). */
export async function startNewsStoreStage(
  bus: Bus,
  stores: Pick<FeatureStores, "putSignals">,
  options: Common,
): Promise<StageRun> {
  const counts = { written: 0 };
  const run = await runStage(bus.kafka, newsStoreStage(bus.topics, bus.groupPrefix, stores, counts), {
    ...options,
    dlq: bus.producer,
  });
  return reporting(run, options.log, () => `store stage: ${counts.written} signals written`);
}
