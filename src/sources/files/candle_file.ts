/** A candle file as a `ReadableStream<Candle>`; bad lines are handled as for trade files. */
import type { Candle, Window } from "../../domain/candle.ts";
import type { Logger } from "../../util/log.ts";
import { type CandleFormat, candleLineParser } from "./candle_formats.ts";
import { parsedFile, type ParsedFileStats } from "./parsed_file.ts";

export interface CandleFileOptions {
  format: CandleFormat;
  pair: string;
  /**
   * The window its candles are of, whose grid their times must be on. A backfill reads on the 1m
   * grid and checks the interval first (see `candlesOfWindow`).
   */
  window: Window;
  skipBadLines?: boolean | undefined;
  log?: Logger | undefined;
}

export function candleFile(
  path: string,
  options: CandleFileOptions,
): Promise<{ stream: ReadableStream<Candle>; stats: ParsedFileStats }> {
  return parsedFile(path, candleLineParser(options.format, options.pair, options.window), {
    skipBadLines: options.skipBadLines,
    header: options.format === "kraken-ohlc",
    log: options.log,
  });
}
