/**
 * Which reader a `backfill --file` takes: `--format`, or the one its name and first line show
 * (with `--format`, only a regular file's first lines are read, to check it: a named pipe cannot be
 * read twice). Decided before anything is opened, so a file the task cannot read is a usage error
 * (exit 2) that leaves the data dir as it was.
 */
import { ConfigError, FILE_FORMATS, type FileFormat } from "../config.ts";
import { wsOhlcCapture } from "../sources/files/candle_formats.ts";
import { detectFormat, otherFormat } from "../sources/files/trade_formats.ts";

/**
 * The format of the file at `path` for a backfill of `pairs`: `format`, or the one detected from
 * its first line, which is asked for only then. A `format` is checked against the file's first
 * two lines when `headLines` can read them (a regular file, not a pipe): a file of another format
 * would fail at its first line, or with `--skip-bad-lines` load nothing.
 *
 * @example
 * ```ts
 * await backfillFileFormat("t.csv", undefined, async () => "ts,pair,price,qty,side", []); // "trades-csv"
 * ```
 */
export async function backfillFileFormat(
  path: string,
  format: FileFormat | undefined,
  firstLine: () => Promise<string>,
  pairs: readonly string[],
  headLines?: () => Promise<readonly string[]>,
): Promise<FileFormat> {
  if (format !== undefined) {
    const head = headLines === undefined ? [] : await headLines();
    const capture = head[0] === undefined ? undefined : wsOhlcCapture(head[0].split(","));
    if (capture !== undefined) throw new ConfigError(`${path}: ${capture}`);
    const other = otherFormat(format, head);
    if (other !== null) throw new ConfigError(notFormat(path, format, other));
    return checked(path, format, pairs);
  }
  const line = await firstLine();
  if (line === "") throw new ConfigError(`--file: ${path} is empty: there is nothing to load`);
  const capture = wsOhlcCapture(line.split(","));
  if (capture !== undefined) throw new ConfigError(`${path}: ${capture}`);
  const found = detectFormat(path, line);
  if (found === null) {
    throw new ConfigError(
      `cannot tell the format of ${path}; pass --format (one of ${FILE_FORMATS.join(", ")})`,
    );
  }
  return checked(path, found, pairs);
}

function checked(path: string, format: FileFormat, pairs: readonly string[]): FileFormat {
  if (format === "kraken-trades" && pairs.length === 0) {
    throw new ConfigError(`${path} is a kraken-trades file, which names no pair: give its pair with --pairs`);
  }
  return format;
}

/**
 * What a task says of a file whose first lines read as `other`, not as the `--format` given.
 *
 * @example
 * ```ts
 * notFormat("t.csv", "kraken-trades", "trades-csv"); // "--format kraken-trades: t.csv is not a kraken-trades file; ..."
 * ```
 */
export function notFormat(path: string, format: string, other: string): string {
  return `--format ${format}: ${path} is not a ${format} file; its first line reads as ${other}. ` +
    `Leave --format out to detect the format, or pass --format ${other}`;
}
