/**
 * `features export`: one series' rows (with their news columns) from the offline store, to a file
 * or stdout, a DuckDB chunk at a time: a year of 1m rows as one string took over 5 GB, and as
 * JSONL passed V8's longest string. A file is written beside its target and renamed when complete,
 * so a failed or interrupted export leaves no half file under the target's name.
 */
import { checkNotAStore, checkOutputFile, type ExportConfig, offlineStore } from "../config.ts";
import { DuckDbFeatureStore } from "../stores/offline_duckdb.ts";
import { PartialFile } from "../stores/partial_file.ts";
import { isAbort } from "../util/abortable.ts";
import type { Logger } from "../util/log.ts";
import { writeStdout } from "../util/stdout.ts";
import { EMPTY_SPAN, exportHeader, exportLines, exportSummary, extendSpan } from "./feature_text.ts";
import { checkSeries } from "./other_pairs_check.ts";

const encoder = new TextEncoder();

/**
 * Resolves with the exit status: 0, also when the range holds no row (which is warned about) or
 * stdout's reader stops reading; 130 when `signal` aborts (Ctrl-C), with the partial file removed.
 * A series the store holds no rows of is a mistake in the command (exit 2, naming what it holds).
 */
export async function exportFeatures(cfg: ExportConfig, log: Logger, signal?: AbortSignal): Promise<number> {
  if (cfg.out !== "-") {
    await checkOutputFile("out", cfg.out);
    await checkNotAStore("out", cfg.out, cfg.dataDir);
  }
  const store = await DuckDbFeatureStore.open(await offlineStore(cfg.dataDir, "ingest or backfill"), {
    readOnly: true,
  });
  let file: PartialFile | undefined;
  let span = EMPTY_SPAN;
  try {
    await checkSeries(store, cfg.pair, cfg.window);
    file = cfg.out === "-" ? undefined : await PartialFile.open(cfg.out);
    const target = file;
    // False once stdout's reader has gone.
    const write = async (text: string): Promise<boolean> => {
      if (!target) return await writeStdout(encoder.encode(text));
      await target.write(encoder.encode(text));
      return true;
    };
    let open = await write(exportHeader(cfg.format));
    if (open) {
      for await (const chunk of store.rangeWithNewsChunks(cfg.pair, cfg.window, cfg.from, cfg.to, signal)) {
        open = await write(exportLines(chunk, cfg.format));
        if (!open) break;
        span = extendSpan(span, chunk);
      }
    }
    if (!open) {
      log.info("stdout's reader stopped reading: the export ends there");
      return 0;
    }
    await file?.commit();
  } catch (e) {
    if (!isAbort(e, signal)) throw e;
    log.warn(`interrupted after ${span.rows} rows` + (file ? `; ${cfg.out} not written` : ""));
    return 130;
  } finally {
    await file?.discard();
    store.close();
  }
  log.info(exportSummary(span, cfg));
  if (span.rows === 0) {
    log.warn(`no ${cfg.pair} ${cfg.window} rows in ${cfg.dataDir}/offline.duckdb for that range`);
  }
  return 0;
}
