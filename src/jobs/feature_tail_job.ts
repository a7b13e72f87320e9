/** `features tail`: a series' newest rows from the offline store, and the online store's latest. */
import type { TailConfig } from "../config.ts";
import { isoTime } from "../domain/time.ts";
import { DuckDbFeatureStore } from "../stores/offline_duckdb.ts";
import { KvFeatureStore } from "../stores/online_kv.ts";
import { tailLines } from "./feature_text.ts";

/** Prints to stdout; an online store that cannot be opened is said, not failed on. */
export async function tailFeatures(cfg: TailConfig): Promise<number> {
  const store = await DuckDbFeatureStore.open(`${cfg.dataDir}/offline.duckdb`, { readOnly: true });
  try {
    for (const line of tailLines(await store.tail(cfg.pair, cfg.window, cfg.n))) console.log(line);
  } finally {
    store.close();
  }
  try {
    const online = await KvFeatureStore.open(`${cfg.dataDir}/online.kv`);
    const latest = await online.latest(cfg.pair, cfg.window);
    online.close();
    console.log(
      latest
        ? `online store latest: ${isoTime(latest.window_start)} close ${latest.close}`
        : "online store: empty",
    );
  } catch (e) {
    console.log(`online store: unavailable (${(e as Error).message})`);
  }
  return 0;
}
