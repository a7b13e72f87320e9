/** Where `news` reads headlines: a history file (`--file`), or CryptoPanic polled for new posts. */
import { checkInputFile, type NewsConfig } from "../config.ts";
import type { NewsItem } from "../domain/news.ts";
import { CryptoPanic } from "../sources/cryptopanic/client.ts";
import { cryptoPanicNews } from "../sources/cryptopanic/news_stream.ts";
import { DamagedFileError } from "../sources/files/gunzip.ts";
import { newsFile } from "../sources/files/news_file.ts";
import type { SeenIds } from "../stores/seen_ids.ts";
import { type Logger, logger } from "../util/log.ts";

/** The file read whole; a missing, unreadable or damaged file fails naming `--file`. */
export async function readNewsFile(path: string, skipBad: boolean): ReturnType<typeof newsFile> {
  await checkInputFile("file", path);
  try {
    return await newsFile(path, { skipBad });
  } catch (e) {
    if (e instanceof DamagedFileError) throw new Error(`--file: ${e.message}`, { cause: e });
    throw e;
  }
}

/** The posts of `cfg.apiUrl` not in `seen`: a backfill on the first poll, then a poll every `--poll`. */
export function cryptoPanicItems(
  cfg: NewsConfig,
  seen: SeenIds,
  log: Logger,
  signal: AbortSignal,
): ReadableStream<NewsItem> {
  const client = new CryptoPanic({
    baseUrl: cfg.apiUrl,
    token: cfg.token!,
    currencies: cfg.currencies,
    rate: cfg.apiRate,
    log: logger("cryptopanic"),
  });
  log.info(`polling ${cfg.apiUrl} every ${cfg.pollMs / 1000}s (${seen.size} posts already seen)`);
  return cryptoPanicNews({
    client,
    seen,
    intervalMs: cfg.pollMs,
    backfillPages: cfg.backfillPages,
    signal,
    log: logger("cryptopanic"),
  });
}
