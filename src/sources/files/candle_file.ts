/** A candle file as a `ReadableStream<Candle>`; bad lines are handled as for trade files. */
import type { Candle, Window } from "../../domain/candle.ts";
import { type Logger, silent } from "../../util/log.ts";
import { fileLines } from "./line_stream.ts";
import { type CandleFormat, candleLineParser } from "./candle_formats.ts";
import { BadLineError } from "./trade_file.ts";

export interface CandleFileOptions {
  format: CandleFormat;
  pair: string;
  /** The file's interval: the smallest window of the run. */
  window: Window;
  skipBadLines?: boolean | undefined;
  log?: Logger | undefined;
}

export interface CandleFileStats {
  lines: number;
  candles: number;
  badLines: number;
}

export async function candleFile(
  path: string,
  options: CandleFileOptions,
): Promise<{ stream: ReadableStream<Candle>; stats: CandleFileStats }> {
  const parse = candleLineParser(options.format, options.pair, options.window);
  const log = options.log ?? silent;
  const stats: CandleFileStats = { lines: 0, candles: 0, badLines: 0 };
  const lines = await fileLines(path);
  const stream = lines.pipeThrough(
    new TransformStream({
      transform(line, controller) {
        stats.lines = line.n;
        let candle: Candle | null;
        try {
          candle = parse(line.text);
        } catch (e) {
          if (line.n === 1 && options.format === "kraken-ohlc") {
            throw new BadLineError(path, 1, (e as Error).message);
          }
          if (!options.skipBadLines) {
            throw new BadLineError(
              path,
              line.n,
              `${(e as Error).message} (--skip-bad-lines to skip such lines)`,
            );
          }
          stats.badLines++;
          if (stats.badLines <= 5) log.warn(`${path}:${line.n}: skipped: ${(e as Error).message}`);
          return;
        }
        if (candle !== null) {
          stats.candles++;
          controller.enqueue(candle);
        }
      },
    }),
  );
  return { stream, stats };
}
