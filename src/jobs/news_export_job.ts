/**
 * `news export`: every classified headline in the offline store, one row per (headline, coin),
 * oldest first, streamed from DuckDB to a file or stdout chunk by chunk, so the size of the store
 * does not matter. A file is written beside its target and renamed when complete.
 */
import { checkOutputFile, type NewsExportConfig, offlineStore } from "../config.ts";
import { isoTime } from "../domain/time.ts";
import { DuckDbFeatureStore } from "../stores/offline_duckdb.ts";
import { PartialFile } from "../stores/partial_file.ts";
import { isAbort } from "../util/abortable.ts";
import type { Logger } from "../util/log.ts";
import { writeStdout } from "../util/stdout.ts";
import { newsExportHeader, newsExportLines } from "./news_export_text.ts";

/**
 * Resolves with the exit status: 0, also when the range holds no signal (which is warned about) or
 * stdout's reader stops reading; 130 when `signal` aborts (Ctrl-C), with the partial file removed.
 */
export async function exportNews(cfg: NewsExportConfig, log: Logger, signal?: AbortSignal): Promise<number> {
  const toFile = cfg.out !== "-";
  if (toFile) await checkOutputFile("out", cfg.out);
  const store = await DuckDbFeatureStore.open(await offlineStore(cfg.dataDir, "news"), { readOnly: true });
  const encoder = new TextEncoder();
  let file: PartialFile | undefined;
  let rows = 0, first: number | undefined, last: number | undefined;
  let open = true;
  try {
    const { title, chunks } = await store.signalRows(cfg.from, cfg.to);
    file = toFile ? await PartialFile.open(cfg.out) : undefined;
    const target = file;
    // False once stdout's reader has gone.
    const write = async (text: string): Promise<boolean> => {
      if (!target) return await writeStdout(encoder.encode(text));
      await target.write(encoder.encode(text));
      return true;
    };
    open = await write(newsExportHeader(cfg.format, title));
    for await (const chunk of chunks) {
      signal?.throwIfAborted();
      if (!open) break;
      if (chunk.length === 0) continue;
      open = await write(newsExportLines(chunk, cfg.format, title));
      if (!open) break;
      rows += chunk.length;
      first ??= chunk[0]!.published_at;
      last = chunk.at(-1)!.published_at;
    }
    signal?.throwIfAborted();
    if (open) await file?.commit();
  } catch (e) {
    if (!isAbort(e, signal)) throw e;
    log.warn(`interrupted after ${rows} news signals` + (file ? `; ${cfg.out} not written` : ""));
    return 130;
  } finally {
    await file?.discard();
    store.close();
  }
  const span = first !== undefined ? ` (${isoTime(first)} .. ${isoTime(last!)})` : "";
  if (!open) {
    log.info("stdout's reader stopped reading: the export ends there");
    return 0;
  }
  log.info(`${rows} news signals${span} written to ${toFile ? cfg.out : "stdout"}`);
  if (rows === 0) log.warn(`no news signals in ${cfg.dataDir}/offline.duckdb for that range`);
  return 0;
}
