/**
 * The format of the trade file `sim` or `demo` replays, resolved before anything is claimed or
 * served: a file that is missing or that it cannot read as trades (candles, or a shape it cannot
 * tell) is a usage error, exit 2 naming `--file` or listing the formats, as for `backfill --file`.
 */
import { checkInputFile, ConfigError } from "../config.ts";
import { resolveFormat, TradeFormatError } from "../sources/files/trade_file.ts";
import type { TradeFormat } from "../sources/files/trade_formats.ts";

export async function replayFileFormat(path: string, format: TradeFormat | undefined): Promise<TradeFormat> {
  await checkInputFile("file", path);
  try {
    return await resolveFormat(path, format);
  } catch (e) {
    if (e instanceof TradeFormatError) throw new ConfigError(e.message);
    throw e;
  }
}
