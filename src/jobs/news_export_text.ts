/**
 * What `news export` writes per stored signal: a CSV line (RFC 4180 quoting) or a JSON line,
 * with the publication and known times in ISO 8601, and the title when the store keeps titles.
 * Pure: the job writes the text.
 */
import type { NewsSignal } from "../domain/news.ts";
import { isoTime } from "../domain/time.ts";

/** The columns, in order; `title` only when the store keeps titles. */
export function newsExportColumns(title: boolean): string[] {
  return [
    "news_id",
    "coin",
    "signal",
    "score",
    "model",
    "published_at",
    "known_at",
    ...(title ? ["title"] : []),
  ];
}

/** A stored signal, with its title when the store keeps titles. */
export type StoredSignal = NewsSignal & { title?: string | null };

function values(s: StoredSignal, title: boolean): (string | number | null)[] {
  const v: (string | number | null)[] = [
    s.news_id,
    s.coin,
    s.signal,
    s.score,
    s.model,
    isoTime(s.published_at),
    isoTime(s.known_at),
  ];
  if (title) v.push(s.title ?? null);
  return v;
}

/** A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
export function csvField(v: string | number | null): string {
  if (v === null) return "";
  const text = String(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The lines of `rows`, each ending in a newline. */
export function newsExportLines(
  rows: readonly StoredSignal[],
  format: "csv" | "jsonl",
  title: boolean,
): string {
  const columns = newsExportColumns(title);
  let out = "";
  for (const r of rows) {
    const v = values(r, title);
    out += format === "csv"
      ? v.map(csvField).join(",") + "\n"
      : JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, v[i]]))) + "\n";
  }
  return out;
}

/** The CSV header line (JSONL has none). */
export function newsExportHeader(format: "csv" | "jsonl", title: boolean): string {
  return format === "csv" ? newsExportColumns(title).join(",") + "\n" : "";
}
