/**
 * CryptoPanic as a `ReadableStream<NewsItem>`: on start it follows `next` back through up to
 * `backfillPages` pages (stopping at a page it has wholly seen), then polls the first page every
 * `intervalMs`, following `next` while a polled page holds only new posts, so a burst of more posts
 * than a page holds between two polls is not lost. Items are deduplicated by id against `seen` and
 * handed on oldest first. They are marked seen as they are handed on; the consumer saves `seen`
 * after writing them, so a crash in between repeats them rather than losing them. A polled post
 * carries `seen_at`, the time of the poll that fetched it: the news columns count it from then on
 * (`knownAt`), as a live run could. The posts paged back through on start are history, known when
 * published.
 *
 * A failure on start ends the stream, so a wrong token, URL or plan shows at once. Once running, a
 * poll that still fails after the client's retries (an outage, an unreadable page) is logged and
 * the next poll tries again, since its posts are still there to be fetched; only a refused token
 * ends the stream then.
 */
import type { NewsItem } from "../../domain/news.ts";
import type { SeenIds } from "../../stores/seen_ids.ts";
import { sleep } from "../../util/abortable.ts";
import { type Logger, silent } from "../../util/log.ts";
import { type CryptoPanic, CryptoPanicAuthError } from "./client.ts";

export interface NewsStreamOptions {
  client: CryptoPanic;
  seen: SeenIds;
  /** @default 60000 */
  intervalMs?: number;
  /** Pages to follow back on start, and at most on a poll (at least 1). @default 10 */
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
  // A post pushed from one page onto the next while they were fetched comes twice: handed on once.
  const fresh = (items: NewsItem[]) => {
    const out: NewsItem[] = [];
    for (const i of items) {
      if (seen.has(i.id)) continue;
      seen.add(i.id);
      out.push(i);
    }
    return out.sort((a, b) => a.published_at - b.published_at);
  };
  const pages = Math.max(1, options.backfillPages ?? 10);
  const intervalMs = options.intervalMs ?? 60_000;
  try {
    const first = fresh(await unseenPosts(client, seen, options.backfillPages ?? 10, signal, true));
    log.info(`CryptoPanic: ${first.length} new posts on start`);
    yield* first;
    for (;;) {
      await sleep(intervalMs, signal);
      let posts: NewsItem[];
      try {
        posts = await unseenPosts(client, seen, pages, signal, false);
      } catch (e) {
        if (e instanceof CryptoPanicAuthError || signal?.aborted) throw e;
        log.warn(
          `CryptoPanic: this poll failed (${(e as Error).message}); next poll in ${intervalMs / 1000} s`,
        );
        continue;
      }
      const seenAt = (options.now ?? Date.now)();
      const items = fresh(posts).map((i) => ({ ...i, seen_at: seenAt }));
      if (items.length) log.info(`CryptoPanic: ${items.length} new posts${lagText(items, seenAt)}`);
      yield* items;
    }
  } catch (e) {
    if (signal?.aborted) return;
    throw e;
  }
}

/**
 * The posts not in `seen` of the first page and of the pages behind it: on start up to a page wholly
 * seen; on a poll only while a page is wholly new, since pages run newest first and a seen post
 * means the gap since the last poll is closed (a request saved on every poll that finds news).
 */
async function unseenPosts(
  client: CryptoPanic,
  seen: SeenIds,
  maxPages: number,
  signal: AbortSignal | undefined,
  onStart: boolean,
): Promise<NewsItem[]> {
  const unseen: NewsItem[] = [];
  let url: string | null = client.firstPageUrl();
  for (let page = 0; url !== null && page < maxPages; page++) {
    const p = await client.page(url, signal);
    const fresh = p.items.filter((i) => !seen.has(i.id));
    unseen.push(...fresh);
    if (fresh.length === 0 || (!onStart && fresh.length < p.items.length)) break;
    url = p.next;
  }
  return unseen;
}

/**
 * How long before the poll the posts were published (" published 40 s to 6 min before this poll"):
 * what the news columns wait for live, which history cannot show.
 */
export function lagText(items: readonly NewsItem[], seenAt: number): string {
  const lags = items.map((i) => Math.max(0, seenAt - i.published_at));
  const text = (ms: number) =>
    ms < 120_000
      ? `${Math.round(ms / 1000)} s`
      : ms < 120 * 60_000
      ? `${Math.round(ms / 60_000)} min`
      : ms < 48 * 3_600_000
      ? `${Math.round(ms / 3_600_000)} h`
      : `${Math.round(ms / 86_400_000)} d`;
  const [lo, hi] = [text(Math.min(...lags)), text(Math.max(...lags))];
  return `, published ${lo === hi ? lo : `${lo} to ${hi}`} before this poll`;
}
