/**
 * Which reader a `backfill --file` takes: `--format`, or the one its name and first line show
 * (read only without `--format`: a named pipe cannot be read twice). Decided before anything is
 * opened, so a file the task cannot read is a usage error (exit 2)
 * that leaves the data dir as it was.
 */
import { ConfigError, FILE_FORMATS, type FileFormat } from "../config.ts";
import { wsOhlcCapture } from "../sources/files/candle_formats.ts";
import { detectFormat } from "../sources/files/trade_formats.ts";

/**
 * The format of the file at `path` for a backfill of `pairs`: `format`, or the one detected from
 * its first line, which is asked for only then.
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
): Promise<FileFormat> {
  if (format !== undefined) return checked(path, format, pairs);
  const line = await firstLine();
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
