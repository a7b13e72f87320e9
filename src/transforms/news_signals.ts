/**
 * Headlines to per-coin signals. A headline's coins are those its source tagged, else the ones
 * the coin dictionary finds in the title; a headline about no coin is a market-wide signal, under
 * the pseudo-coin `MARKET` (domain/news.ts). The classifier reads the headline once and its
 * signal applies to each of its coins.
 */
import { knownAt, MARKET, type NewsItem, type NewsSignal } from "../domain/news.ts";
import type { Classified, NewsClassifier } from "../domain/ports.ts";
import { coinsOf } from "./tagged_coins.ts";

/**
 * The coins a headline's signal is stored under: its own, else {@linkcode MARKET}.
 *
 * @example
 * ```ts
 * signalCoins({ title: "Fed holds rates steady", currencies: [] }); // ["MARKET"]
 * ```
 */
export function signalCoins(item: { title: string; currencies: readonly string[] }): string[] {
  const coins = coinsOf(item);
  return coins.length > 0 ? coins : [MARKET];
}

/**
 * The signals of one classified headline: the classifier's own per-coin signals when it gives
 * them (an LLM names the coins it judged; none when it failed), else its one signal per coin.
 * A live post (one with `seen_at`) is known once fetched and classified: `classifiedAt`, when
 * given, is when its classification ended.
 */
export function signalsOf(
  item: NewsItem,
  result: Classified,
  model: string,
  classifiedAt?: number,
): NewsSignal[] {
  const known_at = item.seen_at === undefined || classifiedAt === undefined
    ? knownAt(item)
    : Math.max(knownAt(item), classifiedAt);
  if (result.coins !== undefined) {
    return result.coins.map(({ coin, signal, score }) => ({
      news_id: item.id,
      coin,
      signal,
      score,
      model,
      published_at: item.published_at,
      known_at,
    }));
  }
  return signalCoins(item).map((coin) => ({
    news_id: item.id,
    coin,
    signal: result.signal,
    score: result.score,
    model,
    published_at: item.published_at,
    known_at,
  }));
}

/** A batch of headlines and their signals, handed on together so a sink can write them as one. */
export interface ClassifiedBatch {
  items: NewsItem[];
  signals: NewsSignal[];
}

/**
 * Classifies batches of headlines, every one of them (one about no coin as a market-wide signal).
 * Batches are whatever arrives: group items upstream to classify many at once. `now`, the wall
 * clock, dates live posts' classifications, except those whose ids are in `recorded` (read from a
 * file, classified long after their fetch).
 */
export async function classifyBatch(
  items: readonly NewsItem[],
  classifier: NewsClassifier,
  now?: () => number,
  recorded?: ReadonlySet<string>,
): Promise<ClassifiedBatch> {
  const results = await classifier.classify(items.map((i) => i.title));
  const at = now?.();
  return {
    items: [...items],
    signals: items.flatMap((item, k) =>
      signalsOf(item, results[k]!, classifier.name, recorded?.has(item.id) ? undefined : at)
    ),
  };
}

/**
 * A TransformStream from headline batches to classified batches: the classification step of
 * the news pipeline.
 */
export class NewsSignalStream extends TransformStream<NewsItem[], ClassifiedBatch> {
  /** `now`, the wall clock, dates live posts' classifications (`signalsOf`). */
  constructor(classifier: NewsClassifier, now?: () => number) {
    super({
      async transform(items, controller) {
        controller.enqueue(await classifyBatch(items, classifier, now));
      },
    });
  }
}
