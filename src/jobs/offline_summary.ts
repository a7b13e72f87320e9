/** The rows per series in the offline store, logged at the end of a backfill. */
import type { BusConfig } from "../config.ts";
import { isoTime } from "../domain/time.ts";
import { DuckDbFeatureStore } from "../stores/offline_duckdb.ts";
import type { Logger } from "../util/log.ts";

/** Logs a line per series, when this process can read the store (not a trades-only bus stage). */
export async function logOfflineSummary(cfg: BusConfig & { dataDir: string }, log: Logger): Promise<void> {
  if (cfg.bus === "kafka" && cfg.stage !== "all") return;
  const store = await DuckDbFeatureStore.open(`${cfg.dataDir}/offline.duckdb`, { readOnly: true });
  try {
    for (const c of await store.counts()) {
      log.info(
        `offline store: ${c.pair} ${c.window}: ${c.rows} rows, ${isoTime(c.first)} .. ${isoTime(c.last)}`,
      );
    }
  } finally {
    store.close();
  }
}
