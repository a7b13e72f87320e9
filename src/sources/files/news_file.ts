/**
 * News history files as a `ReadableStream<NewsItem>`, the same stream the API gives:
 * - a CryptoPanic API response saved as JSON (`{"results":[...]}`, v1 or v2);
 * - a CryptoPanic website scrape: a JSON object keyed by `/news/<id>/<slug>` whose entries hold
 *   `title`/`Title`, `date`/`Date` (a JavaScript `Date.toString()` with its zone), `currencies`
 *   (`["N/A"]` for none) and `source`;
 * - a scrape as CSV with `Time,Title,Source,...` and no ids: the id is a hash of time and title;
 * - the project's JSONL: `{"id","title","published_at" (ISO 8601 or epoch ms),"source","currencies"}`,
 *   and `seen_at` (the same) for a post a live poll recorded.
 * Gzipped bytes are read as such whatever the name. Items come out oldest first, once per id (the
 * first entry wins); an unreadable entry fails the read with where it is, unless `skipBad` is set
 * (then it is counted). An API post of another kind than news (`media`) is no headline and no bad
 * entry either: it is left out and counted apart.
 */
import { type NewsItem, newsTime, stableId, validateNews } from "../../domain/news.ts";
import { isOtherKind, newsFromPost } from "../cryptopanic/api_messages.ts";
import { parseCsv } from "./csv.ts";
import { gunzip } from "./gunzip.ts";

export interface NewsFileStats {
  shape: "api" | "scrape" | "csv" | "jsonl";
  items: number;
  bad: number;
  /** Entries that repeated an earlier one's id (scrapes concatenate overlapping blocks). */
  duplicates: number;
  /** API posts of another kind than news (`media`), left out. */
  otherKinds: number;
}

/** `value` as an object's fields; a JSON `null`, number, string or array is not an entry. */
function record(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`not a JSON object but ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return value as Record<string, unknown>;
}

/** The file's text, gunzipped when its bytes are gzip, whatever its name says. */
async function readText(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return new TextDecoder().decode(bytes);
  return await new Response(gunzip(path, ReadableStream.from([bytes]))).text();
}

/**
 * Which news file `text` is: JSONL by a `.jsonl` name, or by its first line being a headline on its
 * own; JSON by a leading `{`; else CSV. Throws, naming `path`, for an empty file, JSON that does not
 * parse, and JSON that is no news file, rather than reading them as a CSV without its columns.
 */
export function newsFileShape(
  path: string,
  text: string,
): { shape: "jsonl" } | { shape: "api" | "scrape"; doc: Record<string, unknown> } | { shape: "csv" } {
  if (/\.jsonl(\.gz)?$/.test(path)) return { shape: "jsonl" };
  const trimmed = text.trim();
  if (trimmed === "") throw new TypeError(`${path} is empty: it holds no headlines`);
  if (isHeadline(trimmed.split("\n", 1)[0]!)) return { shape: "jsonl" };
  if (trimmed.startsWith("[")) {
    throw new TypeError(
      `${path}: a JSON array is no news file; a CryptoPanic API response is an object with "results", a scrape an object keyed by /news/<id>/<slug>, JSONL one headline per line`,
    );
  }
  if (!trimmed.startsWith("{")) return { shape: "csv" };
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  return { shape: Array.isArray(doc.results) ? "api" : "scrape", doc };
}

/** A line that is one JSON object with a title: a JSONL headline, not the start of a JSON document. */
function isHeadline(line: string): boolean {
  try {
    const o = JSON.parse(line);
    return typeof o === "object" && o !== null && typeof o.title === "string";
  } catch {
    return false;
  }
}

export async function newsFile(
  path: string,
  { skipBad = false } = {},
): Promise<{ stream: ReadableStream<NewsItem>; stats: NewsFileStats }> {
  const text = await readText(path);
  const items: NewsItem[] = [];
  let shape: NewsFileStats["shape"];
  let bad = 0;
  let otherKinds = 0;
  const take = (where: string, build: () => NewsItem) => {
    try {
      items.push(build());
    } catch (e) {
      if (!skipBad) {
        throw new TypeError(
          `${path}: ${where}: ${(e as Error).message} (--skip-bad-lines to skip such entries)`,
        );
      }
      bad++;
    }
  };
  const detected = newsFileShape(path, text);
  if (detected.shape === "jsonl") {
    shape = "jsonl";
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      take(`line ${i + 1}`, () => {
        const o = record(JSON.parse(line));
        const seen = o.seen_at === undefined ? {} : { seen_at: newsTime(o.seen_at, "seen_at") };
        return validateNews({ ...o, published_at: newsTime(o.published_at, "published_at"), ...seen });
      });
    });
  } else if (detected.shape !== "csv") {
    const doc = detected.doc;
    if (detected.shape === "api") {
      shape = "api";
      (doc.results as unknown[]).forEach((post, i) => {
        if (isOtherKind(post)) otherKinds++;
        else take(`result ${i + 1}`, () => newsFromPost(record(post)));
      });
    } else {
      shape = "scrape";
      for (const [key, value] of Object.entries(doc)) {
        take(`entry ${key}`, () => {
          const e = record(value);
          const url = String(e.url ?? e.URL ?? key);
          const id = /\/news\/(\d+)/.exec(url)?.[1] ?? stableId(`${e.date ?? e.Date}|${e.title ?? e.Title}`);
          return validateNews({
            id,
            title: e.title ?? e.Title,
            published_at: newsTime(e.date ?? e.Date, "date"),
            source: e.source ?? e.Source ?? null,
            currencies: (e.currencies ?? e.Currencies ?? []) as unknown[],
          });
        });
      }
    }
  } else {
    shape = "csv";
    const [head = [], ...records] = parseCsv(text);
    const header = head.map((h) => h.trim().toLowerCase());
    const col = (name: string) => header.indexOf(name);
    if (col("title") < 0 || (col("time") < 0 && col("published_at") < 0)) {
      throw new TypeError(`${path}: a news CSV needs Title and Time (or published_at) columns`);
    }
    const timeCol = col("time") >= 0 ? col("time") : col("published_at");
    records.forEach((cells, i) => {
      take(`record ${i + 1}`, () => {
        const time = cells[timeCol] ?? "";
        const title = cells[col("title")] ?? "";
        return validateNews({
          id: col("id") >= 0 ? cells[col("id")] : stableId(`${time}|${title}`),
          title,
          published_at: newsTime(time, header[timeCol] ?? "time"),
          source: col("source") >= 0 ? cells[col("source")] : null,
          currencies: col("currencies") >= 0 ? (cells[col("currencies")] ?? "").split(/[;|]/) : [],
        });
      });
    });
  }
  const unique = [...new Map(items.map((i) => [i.id, i] as const).reverse()).values()].reverse();
  unique.sort((a, b) => a.published_at - b.published_at);
  return {
    stream: ReadableStream.from(unique),
    stats: { shape, items: unique.length, bad, duplicates: items.length - unique.length, otherKinds },
  };
}
