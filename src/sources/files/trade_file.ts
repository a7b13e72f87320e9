/**
 * A trade history file as a `ReadableStream<Trade>`, the same stream type the live and REST
 * sources produce. A bad line stops the stream with an error naming the file and line, unless
 * `skipBadLines` is set; then bad lines are counted (and the first few logged).
 */
import type { Trade } from "../../domain/trade.ts";
import { type Logger, silent } from "../../util/log.ts";
import { fileLines } from "./line_stream.ts";
import { detectFormat, lineParser, TRADE_FORMATS, type TradeFormat } from "./trade_formats.ts";

/** A line of a file that could not be read. */
export class BadLineError extends Error {
  override name = "BadLineError";
  constructor(readonly path: string, readonly line: number, message: string, options?: ErrorOptions) {
    super(`${path}:${line}: ${message}`, options);
  }
}

export interface TradeFileOptions {
  /** Detected from the name and first line when absent. */
  format?: TradeFormat | undefined;
  /** The pair, for formats that do not name one. */
  pair?: string | undefined;
  skipBadLines?: boolean | undefined;
  log?: Logger | undefined;
}

export interface TradeFileStats {
  format: TradeFormat | undefined;
  lines: number;
  trades: number;
  badLines: number;
}

/** Reads the first line of a (possibly gzipped) file. */
export async function firstLine(path: string): Promise<string> {
  const lines = await fileLines(path);
  const reader = lines.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return value?.text ?? "";
}

/** Resolves the format of `path`, throwing a clear `TypeError` when it cannot be read as trades. */
export async function resolveFormat(path: string, format?: TradeFormat | undefined): Promise<TradeFormat> {
  if (format !== undefined) return format;
  const detected = detectFormat(path, await firstLine(path));
  if (detected === "kraken-ohlcvt" || detected === "kraken-ohlc") {
    throw new TypeError(`${path} holds candles (${detected}), not trades`);
  }
  if (detected === null) {
    throw new TypeError(
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
export async function tradeFile(
  path: string,
  options: TradeFileOptions = {},
): Promise<{ stream: ReadableStream<Trade>; stats: TradeFileStats }> {
  const format = await resolveFormat(path, options.format);
  const log = options.log ?? silent;
  const parse = lineParser(format, options.pair);
  const stats: TradeFileStats = { format, lines: 0, trades: 0, badLines: 0 };
  const lines = await fileLines(path);
  const stream = lines.pipeThrough(
    new TransformStream({
      transform(line, controller) {
        stats.lines = line.n;
        let trade: Trade | null;
        try {
          trade = parse(line.text);
        } catch (e) {
          if (line.n === 1 && format === "trades-csv") throw new BadLineError(path, 1, (e as Error).message);
          if (!options.skipBadLines) {
            throw new BadLineError(
              path,
              line.n,
              `${(e as Error).message} (--skip-bad-lines to skip such lines)`,
              {
                cause: e,
              },
            );
          }
          stats.badLines++;
          if (stats.badLines <= 5) log.warn(`${path}:${line.n}: skipped: ${(e as Error).message}`);
          return;
        }
        if (trade !== null) {
          stats.trades++;
          controller.enqueue(trade);
        }
      },
      flush() {
        if (stats.badLines > 5) log.warn(`${path}: ${stats.badLines} bad lines skipped in all`);
      },
    }),
  );
  return { stream, stats };
}
