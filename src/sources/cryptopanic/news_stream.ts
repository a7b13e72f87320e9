/**
 * CryptoPanic as a `ReadableStream<NewsItem>`: on start it follows `next` back through up to
 * `backfillPages` pages (stopping at a page it has wholly seen), then polls the first page every
 * `intervalMs`. Items are deduplicated by id against `seen` and handed on oldest first. They are
 * marked seen as they are handed on; the consumer saves `seen` after writing them, so a crash in
 * between repeats them rather than losing them. A polled post carries `seen_at`, the time of the
 * poll that fetched it: the news columns count it from then on (`knownAt`), as a live run could.
 * The posts paged back through on start are history, known when published.
 */
import type { NewsItem } from "../../domain/news.ts";
import type { SeenIds } from "../../stores/seen_ids.ts";
import { sleep } from "../../util/abortable.ts";
import { type Logger, silent } from "../../util/log.ts";
import type { CryptoPanic } from "./client.ts";

export interface NewsStreamOptions {
  client: CryptoPanic;
  seen: SeenIds;
  /** @default 60000 */
  intervalMs?: number;
  /** Pages to follow back on start. @default 10 */
  backfillPages?: number;
  signal?: AbortSignal | undefined;
  log?: Logger | undefined;
  /** Wall clock, epoch ms. @default Date.now */
  now?: () => number;
}

export function cryptoPanicNews(options: NewsStreamOptions): ReadableStream<NewsItem> {
  return ReadableStream.from(run(options));
}

async function* run(options: NewsStreamOptions): AsyncGenerator<NewsItem> {
  const { client, seen, signal } = options;
  const log = options.log ?? silent;
  const fresh = (items: NewsItem[]) => {
    const out = items.filter((i) => !seen.has(i.id)).sort((a, b) => a.published_at - b.published_at);
    for (const i of out) seen.add(i.id);
    return out;
  };
  try {
    const backlog: NewsItem[] = [];
    let url: string | null = client.firstPageUrl();
    for (let page = 0; url !== null && page < (options.backfillPages ?? 10); page++) {
      const p = await client.page(url, signal);
      const unseen = p.items.filter((i) => !seen.has(i.id));
      backlog.push(...unseen);
      if (unseen.length === 0) break;
      url = p.next;
    }
    const first = fresh(backlog);
    log.info(`CryptoPanic: ${first.length} new posts on start`);
    yield* first;
    for (;;) {
      await sleep(options.intervalMs ?? 60_000, signal);
      const page = await client.page(undefined, signal);
      const seenAt = (options.now ?? Date.now)();
      const items = fresh(page.items).map((i) => ({ ...i, seen_at: seenAt }));
      if (items.length) log.info(`CryptoPanic: ${items.length} new posts${lagText(items, seenAt)}`);
      yield* items;
    }
  } catch (e) {
    if (signal?.aborted) return;
    throw e;
  }
}

/**
 * How long before the poll the posts were published (" published 40 s to 6 min before this poll"):
 * what the news columns wait for live, which history cannot show.
 */
export function lagText(items: readonly NewsItem[], seenAt: number): string {
  const lags = items.map((i) => Math.max(0, seenAt - i.published_at));
  const text = (ms: number) => ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
  const [lo, hi] = [text(Math.min(...lags)), text(Math.max(...lags))];
  return `, published ${lo === hi ? lo : `${lo} to ${hi}`} before this poll`;
}
