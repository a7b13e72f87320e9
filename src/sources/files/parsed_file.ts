/**
 * A file of records, one per line, through a line parser, as a stream. A bad line stops the stream
 * with a {@linkcode BadLineError} naming the file and line, unless `skipBadLines` is set; then bad
 * lines are counted and the first five logged. A bad header (line 1 of a format that has one)
 * always stops it.
 *
 * The file is read, split and parsed in one stage, a decoded chunk (1 MiB) at a time, and the
 * records of a chunk are queued together. Records before a bad line are all handed on before the
 * stream fails.
 */
import { type Logger, silent } from "../../util/log.ts";
import { fileText } from "./file_text.ts";
import { LineSplitter } from "./line_splitter.ts";

/** A line of a file that could not be read. */
export class BadLineError extends Error {
  override name = "BadLineError";
  constructor(readonly path: string, readonly line: number, message: string, options?: ErrorOptions) {
    super(`${path}:${line}: ${message}`, options);
  }
}

/**
 * Reads the line `text.slice(start, end)` in place into a record, or answers `undefined` to hand
 * it to the general parser, which then reads it or names what is wrong with it. It never throws.
 * Lines come in order; `fresh` says `text` is another string than the line before's.
 */
export type FastLineParser<T> = (text: string, start: number, end: number, fresh: boolean) => T | undefined;

/** A general line parser (`null` for a line without a record, such as a header), and maybe a fast path. */
export interface RecordParser<T> {
  parse: (line: string) => T | null;
  fast?: FastLineParser<T> | undefined;
}

export interface ParsedFileOptions<T = unknown> {
  /**
   * Count and skip bad lines. `false` fails on the first, saying that `--skip-bad-lines` would skip
   * it; absent (for a task without that flag) fails on it without saying so.
   */
  skipBadLines?: boolean | undefined;
  /** The first line is a header, which must parse. */
  header?: boolean;
  log?: Logger | undefined;
  /**
   * Which records go into the stream (all, when absent); the others are still counted in
   * `records`. Filtering here spares each dropped record a stream hop of its own.
   */
  keep?: ((record: T) => boolean) | undefined;
  /** Bytes read from the file at a time. @default 1 MiB */
  readBytes?: number | undefined;
}

export interface ParsedFileStats {
  lines: number;
  records: number;
  badLines: number;
}

/**
 * The records of a file, one at a time. A consumer that takes them in bulk (a backfill's batching)
 * is better served by {@linkcode parsedFileChunks}: a stream hop per record costs more than
 * parsing the line.
 */
export function parsedFile<T>(
  path: string,
  parser: RecordParser<T> | ((line: string) => T | null),
  options: ParsedFileOptions<T> = {},
): Promise<{ stream: ReadableStream<T>; stats: ParsedFileStats }> {
  return parsed<T, T>(path, parser, options, (c, records) => {
    for (const r of records) c.enqueue(r);
  });
}

/** The records of a file as arrays, the records of each chunk read (never an empty array), in order. */
export function parsedFileChunks<T>(
  path: string,
  parser: RecordParser<T> | ((line: string) => T | null),
  options: ParsedFileOptions<T> = {},
): Promise<{ stream: ReadableStream<T[]>; stats: ParsedFileStats }> {
  return parsed<T, T[]>(path, parser, options, (c, records) => c.enqueue(records));
}

async function parsed<T, C>(
  path: string,
  parser: RecordParser<T> | ((line: string) => T | null),
  options: ParsedFileOptions<T>,
  deliver: (c: ReadableStreamDefaultController<C>, records: T[]) => void,
): Promise<{ stream: ReadableStream<C>; stats: ParsedFileStats }> {
  const log = options.log ?? silent;
  const keep = options.keep;
  const { parse, fast } = typeof parser === "function" ? { parse: parser, fast: undefined } : parser;
  const stats: ParsedFileStats = { lines: 0, records: 0, badLines: 0 };
  const text = (await fileText(path, options.readBytes)).getReader();
  let pending: T[] = [];
  const take = (record: T) => {
    stats.records++;
    if (keep === undefined || keep(record)) pending.push(record);
  };
  const hand = (c: ReadableStreamDefaultController<C>) => {
    if (pending.length === 0) return;
    const records = pending;
    pending = [];
    deliver(c, records);
  };

  const general = (line: string, n: number) => {
    let record: T | null;
    try {
      record = parse(line);
    } catch (e) {
      const why = (e as Error).message;
      if (n === 1 && options.header) throw new BadLineError(path, 1, why, { cause: e });
      if (!options.skipBadLines) {
        const hint = options.skipBadLines === false ? " (--skip-bad-lines to skip such lines)" : "";
        throw new BadLineError(path, n, why + hint, { cause: e });
      }
      stats.badLines++;
      if (stats.badLines <= 5) log.warn(`${path}:${n}: skipped: ${why}`);
      return;
    }
    if (record !== null) take(record);
  };
  const splitter = new LineSplitter((chunk, start, end, n, fresh) => {
    stats.lines = n;
    if (fast !== undefined) {
      const record = fast(chunk, start, end, fresh);
      if (record !== undefined) {
        take(record);
        return;
      }
    }
    general(start === 0 && end === chunk.length ? chunk : chunk.slice(start, end), n);
  });

  let failure: unknown;
  const stream = new ReadableStream<C>({
    async pull(c) {
      if (failure !== undefined) throw failure;
      try {
        // Until a chunk yields a record: a chunk may hold only a header, bad lines or part of a line.
        while (pending.length === 0) {
          const { done, value } = await text.read();
          if (done) {
            splitter.end();
            if (stats.badLines > 5) log.warn(`${path}: ${stats.badLines} bad lines skipped in all`);
            hand(c);
            c.close();
            return;
          }
          splitter.push(value);
        }
        hand(c);
      } catch (e) {
        failure = e;
        await text.cancel(e).catch(() => {});
        // The records taken before the bad line are read first; the next pull fails.
        if (pending.length === 0) throw e;
        hand(c);
      }
    },
    cancel: (reason) => text.cancel(reason),
  });
  return { stream, stats };
}
