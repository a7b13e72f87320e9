/**
 * News for `start`: CryptoPanic polled, each new headline classified, the signals written to the
 * shared stores. A failure here is logged and leaves the rest of the system running.
 */
import type { NewsItem } from "../domain/news.ts";
import type { NewsSignalStore } from "../domain/ports.ts";
import type { LlmSettings } from "../news_model/llm/llm_settings.ts";
import { SeenIds } from "../stores/seen_ids.ts";
import { BatchStream } from "../util/batches.ts";
import { logger } from "../util/log.ts";

export interface NewsLoopOptions {
  token: string;
  apiUrl: string;
  /** The classifier: a hub id, a local directory, or an LLM (`ollama:M`, `openai:M`). */
  model: string;
  /** How to reach the LLM of an `ollama:` or `openai:` model. */
  llm?: LlmSettings | undefined;
  pollMs: number;
}

/** Runs until `signal` aborts; never rejects. */
export async function runNews(
  n: NewsLoopOptions,
  dataDir: string,
  stores: Pick<NewsSignalStore, "putSignals">,
  signal: AbortSignal,
): Promise<void> {
  const log = logger("news");
  try {
    const { loadNewsClassifier } = await import("../news_model/classifier.ts");
    const { CryptoPanic } = await import("../sources/cryptopanic/client.ts");
    const { cryptoPanicNews } = await import("../sources/cryptopanic/news_stream.ts");
    const { NewsSignalStream } = await import("../transforms/news_signals.ts");
    const classifier = await loadNewsClassifier(n.model, { cacheDir: `${dataDir}/hf-cache`, llm: n.llm });
    // An id is saved as seen only once its signals are written: a crash repeats, never loses.
    const seen = await SeenIds.open(`${dataDir}/news_seen.json`, undefined, { untilWritten: true });
    const client = new CryptoPanic({ baseUrl: n.apiUrl, token: n.token, log: logger("cryptopanic") });
    const batches = cryptoPanicNews({
      client,
      seen,
      intervalMs: n.pollMs,
      signal,
      log: logger("cryptopanic"),
    })
      .pipeThrough(new BatchStream<NewsItem>(64, 250))
      .pipeThrough(new NewsSignalStream(classifier, Date.now));
    for await (const batch of batches) {
      await stores.putSignals(batch.signals);
      seen.written(batch.items.map((i) => i.id));
      await seen.save();
      log.info(`${batch.items.length} headlines → ${batch.signals.length} signals`);
    }
    await classifier.dispose();
  } catch (e) {
    if (!signal.aborted) log.error(`news stopped: ${(e as Error).message}`);
  }
}
