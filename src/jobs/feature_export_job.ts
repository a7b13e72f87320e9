/** `features export`: one series' rows (with their news columns) from the offline store, to a file or stdout. */
import type { ExportConfig } from "../config.ts";
import { DuckDbFeatureStore } from "../stores/offline_duckdb.ts";
import type { Logger } from "../util/log.ts";
import { writeStdout } from "../util/stdout.ts";
import { exportSummary, exportText } from "./feature_text.ts";

/** Resolves with the exit status: 0, also when the range holds no row (which is warned about). */
export async function exportFeatures(cfg: ExportConfig, log: Logger): Promise<number> {
  const store = await DuckDbFeatureStore.open(`${cfg.dataDir}/offline.duckdb`, { readOnly: true });
  try {
    const rows = await store.rangeWithNews(cfg.pair, cfg.window, cfg.from, cfg.to);
    const text = exportText(rows, cfg.format);
    if (cfg.out !== "-") await Deno.writeTextFile(cfg.out, text);
    else if (!await writeStdout(new TextEncoder().encode(text))) {
      log.info("stdout's reader stopped reading: the export ends there");
      return 0;
    }
    log.info(exportSummary(rows, cfg));
    if (rows.length === 0) {
      log.warn(`no ${cfg.pair} ${cfg.window} rows in ${cfg.dataDir}/offline.duckdb for that range`);
    }
  } finally {
    store.close();
  }
  return 0;
}
