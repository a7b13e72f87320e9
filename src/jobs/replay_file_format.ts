/**
 * The format of the trade file `sim` or `demo` replays, resolved before anything is claimed or
 * served: a file that is missing or that it cannot read as trades (candles, a shape it cannot
 * tell, or another format than `--format` names) is a usage error, exit 2 naming `--file` or listing the formats, as for `backfill --file`.
 */
import { checkInputFile, ConfigError } from "../config.ts";
import { headLines, resolveFormat, TradeFormatError } from "../sources/files/trade_file.ts";
import { otherFormat, type TradeFormat } from "../sources/files/trade_formats.ts";
import { notFormat } from "./backfill_file_format.ts";

export async function replayFileFormat(path: string, format: TradeFormat | undefined): Promise<TradeFormat> {
  await checkInputFile("file", path);
  // A pipe cannot be read twice, so only a regular file is checked against --format.
  if (format !== undefined && (await Deno.stat(path)).isFile) {
    const other = otherFormat(format, await headLines(path, 2));
    if (other === "kraken-ohlc" || other === "kraken-ohlcvt") {
      throw new ConfigError(`${path} holds candles (${other}), not trades`);
    }
    if (other !== null) throw new ConfigError(notFormat(path, format, other));
  }
  try {
    return await resolveFormat(path, format);
  } catch (e) {
    if (e instanceof TradeFormatError) throw new ConfigError(e.message);
    throw e;
  }
}
