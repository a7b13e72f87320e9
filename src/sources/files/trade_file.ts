/**
 * A trade history file as a `ReadableStream<Trade>`, the same stream type the live and REST
 * sources produce. A bad line stops the stream with an error naming the file and line, unless
 * `skipBadLines` is set; then bad lines are counted (and the first few logged).
 */
import type { Trade } from "../../domain/trade.ts";
import type { Logger } from "../../util/log.ts";
import { fileLines } from "./line_stream.ts";
import {
  parsedFile,
  parsedFileChunks,
  type ParsedFileOptions,
  type ParsedFileStats,
  type RecordParser,
} from "./parsed_file.ts";
import { detectFormat, TRADE_FORMATS, type TradeFormat, tradeParser } from "./trade_formats.ts";

export { BadLineError } from "./parsed_file.ts";

export interface TradeFileOptions {
  /** Detected from the name and first line when absent. */
  format?: TradeFormat | undefined;
  /** The pair, for formats that do not name one. */
  pair?: string | undefined;
  /** As in {@linkcode ParsedFileOptions}: absent for a task without `--skip-bad-lines`. */
  skipBadLines?: boolean | undefined;
  log?: Logger | undefined;
  /** Which trades go into the stream (all, when absent); `stats.records` counts them all. */
  keep?: ((trade: Trade) => boolean) | undefined;
  /** Bytes read from the file at a time. @default 1 MiB */
  readBytes?: number | undefined;
}

export type TradeFileStats = ParsedFileStats & { format: TradeFormat };

/** Reads the first line of a (possibly gzipped) file. */
export async function firstLine(path: string): Promise<string> {
  return (await headLines(path, 1))[0] ?? "";
}

/** Reads the first `n` lines of a (possibly gzipped) file, fewer when it has fewer. */
export async function headLines(path: string, n: number): Promise<string[]> {
  const reader = (await fileLines(path)).getReader();
  const out: string[] = [];
  while (out.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    out.push(value.text);
  }
  await reader.cancel();
  return out;
}

/** A file that cannot be read as trades as given: the user's to fix, with `--format` or another file. */
export class TradeFormatError extends TypeError {
  override name = "TradeFormatError";
}

/** Resolves the format of `path`, throwing a clear `TradeFormatError` when it cannot be read as trades. */
export async function resolveFormat(path: string, format?: TradeFormat | undefined): Promise<TradeFormat> {
  if (format !== undefined) return format;
  const line = await firstLine(path);
  if (line === "") throw new TradeFormatError(`--file: ${path} is empty: there are no trades to replay`);
  const detected = detectFormat(path, line);
  if (detected === "kraken-ohlcvt" || detected === "kraken-ohlc") {
    throw new TradeFormatError(`${path} holds candles (${detected}), not trades`);
  }
  if (detected === null) {
    throw new TradeFormatError(
      `cannot tell the format of ${path}; pass --format (one of ${TRADE_FORMATS.join(", ")})`,
    );
  }
  return detected;
}

/**
 * Streams the trades of a file.
 *
 * @example
 * ```ts
 * const { stream } = await tradeFile("trades.csv");
 * for await (const trade of stream) console.log(trade);
 * ```
 */
export function tradeFile(
  path: string,
  options: TradeFileOptions = {},
): Promise<{ stream: ReadableStream<Trade>; stats: TradeFileStats }> {
  return opened(path, options, parsedFile<Trade>);
}

/**
 * The trades of a file as arrays, those of each chunk read: for a consumer that batches them (a
 * backfill's checkpoint cut), which then takes a million trades in about sixty stream hops
 * instead of a million.
 */
export function tradeFileChunks(
  path: string,
  options: TradeFileOptions = {},
): Promise<{ stream: ReadableStream<Trade[]>; stats: TradeFileStats }> {
  return opened(path, options, parsedFileChunks<Trade>);
}

/** `path` through `read` (one record or one chunk's records at a time), with its format resolved. */
async function opened<S>(
  path: string,
  options: TradeFileOptions,
  read: (
    path: string,
    parser: RecordParser<Trade>,
    options: ParsedFileOptions<Trade>,
  ) => Promise<{ stream: S; stats: ParsedFileStats }>,
): Promise<{ stream: S; stats: TradeFileStats }> {
  const format = await resolveFormat(path, options.format);
  const { stream, stats } = await read(path, tradeParser(format, options.pair), {
    skipBadLines: options.skipBadLines,
    header: format === "trades-csv",
    log: options.log,
    keep: options.keep,
    readBytes: options.readBytes,
  });
  return { stream, stats: Object.assign(stats, { format }) };
}
