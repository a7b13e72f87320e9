/** A news headline as the system sees it, whatever API or file it came from. */
export interface NewsItem {
  /** The source's id (CryptoPanic post id), or a stable hash of time and title when it has none. */
  id: string;
  title: string;
  /** Publication time, epoch ms. */
  published_at: number;
  /** Domain or handle of the publisher, when known. */
  source: string | null;
  /** Tickers the source tagged (`BTC`), upper case; empty when it tagged none. */
  currencies: string[];
  /**
   * When a live poll first fetched it, epoch ms. Absent for history (a file, or the posts a source
   * pages back through on start), which says nothing of when it could have been known.
   */
  seen_at?: number;
}

/**
 * When a headline could first be used: when a live poll fetched it, never before its publication;
 * history is taken as known when published.
 */
export function knownAt(item: Pick<NewsItem, "published_at" | "seen_at">): number {
  return Math.max(item.published_at, item.seen_at ?? item.published_at);
}

/** `Sat Feb 07 2026 17:11:01 GMT-0500 (zone name)` and ISO 8601 → epoch ms; NaN otherwise. */
export function parseNewsTime(text: unknown): number {
  if (typeof text === "number") return text;
  if (typeof text !== "string") return NaN;
  return Date.parse(text.replace(/\s*\(.*\)\s*$/, "").trim());
}

/**
 * A source's time field as epoch ms, as `parseNewsTime` reads it; throws naming the field and the
 * value a reader met (a failed parse would otherwise reach `validateNews` as a bare NaN).
 */
export function newsTime(value: unknown, field: string): number {
  const at = parseNewsTime(value);
  if (Number.isNaN(at)) {
    throw new InvalidNewsError(
      value === undefined || value === null || value === ""
        ? `${field} is missing`
        : `${field} is not a time: ${JSON.stringify(value)} (ISO 8601 or epoch ms)`,
    );
  }
  return at;
}

/** Raised for a value that is not a valid news item; the message names the field. */
export class InvalidNewsError extends TypeError {
  override name = "InvalidNewsError";
}

/**
 * Checks and normalises a news item: trims the title, upper-cases and dedupes tickers, drops
 * placeholder tickers such as `N/A`.
 */
export function validateNews(n: Record<string, unknown>): NewsItem {
  const id = typeof n.id === "number" ? String(n.id) : n.id;
  if (typeof id !== "string" || id.length === 0) {
    throw new InvalidNewsError(`id is invalid: ${JSON.stringify(n.id)}`);
  }
  const title = typeof n.title === "string" ? n.title.trim() : "";
  if (title.length === 0) throw new InvalidNewsError(`title is empty (id ${id})`);
  const at = n.published_at;
  if (typeof at !== "number" || !Number.isSafeInteger(at) || at <= 0) {
    throw new InvalidNewsError(`published_at is invalid: ${JSON.stringify(at)} (id ${id})`);
  }
  const raw = Array.isArray(n.currencies) ? n.currencies : [];
  const currencies = [
    ...new Set(raw.map((c) => String(c).trim().toUpperCase()).filter((c) => /^[A-Z0-9]{2,10}$/.test(c))),
  ];
  const source = typeof n.source === "string" && n.source.length > 0 ? n.source : null;
  const seen = n.seen_at;
  if (seen !== undefined && (typeof seen !== "number" || !Number.isSafeInteger(seen) || seen <= 0)) {
    throw new InvalidNewsError(`seen_at is invalid: ${JSON.stringify(seen)} (id ${id})`);
  }
  return {
    id,
    title,
    published_at: at,
    source,
    currencies,
    ...(seen === undefined ? {} : { seen_at: seen }),
  };
}

/** 32-bit FNV-1a as 8 hex digits: a stable id for headlines that come without one. */
export function stableId(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * The pseudo-coin of market-wide signals. A headline that names no coin (no coin tagged, none in
 * its title: "Fed holds rates steady", "crypto funds see outflows") is classified all the same,
 * and its signal is stored under this coin. Every pair reads these signals as its `market_news_*`
 * feature columns, beside its own coin's `news_*` ones. It is never a real ticker: a source's
 * `MARKET` tag is dropped (`NOT_COINS` in transforms/tagged_coins.ts).
 */
export const MARKET = "MARKET";

/** A classified headline, per coin it concerns (or {@linkcode MARKET}, when it names none). */
export interface NewsSignal {
  news_id: string;
  coin: string;
  /** Bullish 1, neutral 0, bearish -1. */
  signal: -1 | 0 | 1;
  /** The classifier's confidence, 0..1. */
  score: number;
  model: string;
  published_at: number;
  /**
   * When the signal could first be used: for a live post, when it was fetched and classified;
   * for history, when it was published (`knownAt`). The news columns count it from then on, in
   * training as in serving, so no row reads a headline before a live run could have.
   */
  known_at: number;
}
