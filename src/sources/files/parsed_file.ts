/**
 * A file of records, one per line, through a line parser, as a stream. A bad line stops the stream
 * with a {@linkcode BadLineError} naming the file and line, unless `skipBadLines` is set; then bad
 * lines are counted and the first five logged. A bad header (line 1 of a format that has one)
 * always stops it.
 */
import { type Logger, silent } from "../../util/log.ts";
import { fileLines } from "./line_stream.ts";

/** A line of a file that could not be read. */
export class BadLineError extends Error {
  override name = "BadLineError";
  constructor(readonly path: string, readonly line: number, message: string, options?: ErrorOptions) {
    super(`${path}:${line}: ${message}`, options);
  }
}

export interface ParsedFileOptions {
  skipBadLines?: boolean | undefined;
  /** The first line is a header, which must parse. */
  header?: boolean;
  log?: Logger | undefined;
}

export interface ParsedFileStats {
  lines: number;
  records: number;
  badLines: number;
}

export async function parsedFile<T>(
  path: string,
  parse: (line: string) => T | null,
  options: ParsedFileOptions = {},
): Promise<{ stream: ReadableStream<T>; stats: ParsedFileStats }> {
  const log = options.log ?? silent;
  const stats: ParsedFileStats = { lines: 0, records: 0, badLines: 0 };
  const lines = await fileLines(path);
  const stream = lines.pipeThrough(
    new TransformStream({
      transform(line, controller) {
        stats.lines = line.n;
        let record: T | null;
        try {
          record = parse(line.text);
        } catch (e) {
          const why = (e as Error).message;
          if (line.n === 1 && options.header) throw new BadLineError(path, 1, why, { cause: e });
          if (!options.skipBadLines) {
            throw new BadLineError(path, line.n, `${why} (--skip-bad-lines to skip such lines)`, {
              cause: e,
            });
          }
          stats.badLines++;
          if (stats.badLines <= 5) log.warn(`${path}:${line.n}: skipped: ${why}`);
          return;
        }
        if (record !== null) {
          stats.records++;
          controller.enqueue(record);
        }
      },
      flush() {
        if (stats.badLines > 5) log.warn(`${path}: ${stats.badLines} bad lines skipped in all`);
      },
    }),
  );
  return { stream, stats };
}
