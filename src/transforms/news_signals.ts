/**
 * Headlines to per-coin signals. A headline's coins are those its source tagged, else the ones
 * the coin dictionary finds in the title; a headline about no coin gives no signal. The
 * classifier reads the headline once and its signal applies to each of its coins.
 */
import type { NewsItem, NewsSignal } from "../domain/news.ts";
import type { Classified, NewsClassifier } from "../domain/ports.ts";
import { coinsOf } from "./coins.ts";

/** The signals of one classified headline. */
export function signalsOf(item: NewsItem, result: Classified, model: string): NewsSignal[] {
  return coinsOf(item).map((coin) => ({
    news_id: item.id,
    coin,
    signal: result.signal,
    score: result.score,
    model,
    published_at: item.published_at,
  }));
}

/** A batch of headlines and their signals, handed on together so a sink can write them as one. */
export interface ClassifiedBatch {
  items: NewsItem[];
  signals: NewsSignal[];
}

/**
 * Classifies batches of headlines (only those about some coin go to the model). Batches are
 * whatever arrives: group items upstream to classify many at once.
 */
export async function classifyBatch(
  items: readonly NewsItem[],
  classifier: NewsClassifier,
): Promise<ClassifiedBatch> {
  const relevant = items.filter((i) => coinsOf(i).length > 0);
  const results = await classifier.classify(relevant.map((i) => i.title));
  return {
    items: [...items],
    signals: relevant.flatMap((item, k) => signalsOf(item, results[k]!, classifier.name)),
  };
}

/**
 * A TransformStream from headline batches to classified batches: the classification step of
 * the news pipeline.
 */
export class NewsSignalStream extends TransformStream<NewsItem[], ClassifiedBatch> {
  constructor(classifier: NewsClassifier) {
    super({
      async transform(items, controller) {
        controller.enqueue(await classifyBatch(items, classifier));
      },
    });
  }
}
