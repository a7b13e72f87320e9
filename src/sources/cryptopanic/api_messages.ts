/**
 * CryptoPanic posts API responses (`/api/free/v1/posts/`, `/api/v1/posts/`,
 * `/api/developer/v2/posts/`) parsed into NewsItems. Pure. v1 tags coins in `currencies` (the key
 * is absent when there are none); v2 in `instruments`.
 */
import { type NewsItem, newsTime, validateNews } from "../../domain/news.ts";

export interface PostsPage {
  items: NewsItem[];
  /** The URL of the next (older) page, or null. */
  next: string | null;
  /** Posts the page held that were not news items (e.g. `kind: "media"`) or could not be read. */
  skipped: number;
}

function codes(list: unknown): string[] {
  return Array.isArray(list)
    ? list.map((c) => (c as { code?: unknown })?.code).filter((c): c is string => typeof c === "string")
    : [];
}

/** One post of either API version → NewsItem (throws for an unusable one). */
export function newsFromPost(post: Record<string, unknown>): NewsItem {
  const source = post.source as { domain?: unknown } | undefined;
  return validateNews({
    id: post.id,
    title: post.title,
    published_at: newsTime(post.published_at, "published_at"),
    source: typeof source?.domain === "string"
      ? source.domain
      : typeof post.domain === "string"
      ? post.domain
      : null,
    currencies: [...codes(post.currencies), ...codes(post.instruments)],
  });
}

/**
 * A post of another kind than news (`kind: "media"`, a video): good input, but not a headline. A
 * post without `kind` (as a saved v2 response may be) is news.
 */
export function isOtherKind(post: unknown): boolean {
  if (typeof post !== "object" || post === null) return false;
  const kind = (post as { kind?: unknown }).kind;
  return kind !== undefined && kind !== "news";
}

/** Parses a posts response; media posts and unreadable posts are counted, not returned. */
export function parsePostsPage(body: unknown): PostsPage {
  if (typeof body !== "object" || body === null || !Array.isArray((body as { results?: unknown }).results)) {
    // An error can come as JSON with status 200 (`{"status": "Incomplete", "info": ...}`): its words
    // are the only clue to what is wrong.
    const fields = typeof body === "object" && body !== null ? body as Record<string, unknown> : {};
    const said = ["status", "info", "detail", "error", "message"]
      .map((k) => fields[k]).filter((v): v is string => typeof v === "string").join(": ");
    throw new TypeError(
      `CryptoPanic response has no results array${said ? ` (it says: ${said.slice(0, 200)})` : ""}`,
    );
  }
  const { results, next } = body as { results: unknown[]; next?: unknown };
  const items: NewsItem[] = [];
  let skipped = 0;
  for (const post of results) {
    const p = post as Record<string, unknown>;
    if (p === null || typeof p !== "object" || isOtherKind(p)) {
      skipped++;
      continue;
    }
    try {
      items.push(newsFromPost(p));
    } catch {
      skipped++;
    }
  }
  return { items, next: typeof next === "string" && next.length > 0 ? next : null, skipped };
}
