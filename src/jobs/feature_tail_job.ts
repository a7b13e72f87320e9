/**
 * `features tail`: a series' newest rows from the offline store, and the online store's latest,
 * to stdout a DuckDB chunk at a time, so a large `--n` is never held in memory whole.
 */
import { offlineStore, type TailConfig } from "../config.ts";
import { isoTime } from "../domain/time.ts";
import { DuckDbFeatureStore } from "../stores/offline_duckdb.ts";
import { KvFeatureStore } from "../stores/online_kv.ts";
import { isAbort } from "../util/abortable.ts";
import type { Logger } from "../util/log.ts";
import { writeStdout } from "../util/stdout.ts";
import { TAIL_HEADER, tailText } from "./feature_text.ts";
import { checkSeries } from "./other_pairs_check.ts";

const encoder = new TextEncoder();

/** False once stdout's reader has gone. */
function print(text: string): Promise<boolean> {
  return writeStdout(encoder.encode(text));
}

/**
 * Resolves with the exit status: 0, also when stdout's reader stops reading; 130 when `signal`
 * aborts (Ctrl-C). An online store that cannot be opened is said, not failed on; a series the
 * offline store holds no rows of is a mistake in the command (exit 2, naming what it holds).
 */
export async function tailFeatures(cfg: TailConfig, log: Logger, signal?: AbortSignal): Promise<number> {
  const store = await DuckDbFeatureStore.open(await offlineStore(cfg.dataDir, "ingest or backfill"), {
    readOnly: true,
  });
  let rows = 0;
  try {
    await checkSeries(store, cfg.pair, cfg.window);
    if (!await print(TAIL_HEADER)) return 0;
    for await (const chunk of store.tailChunks(cfg.pair, cfg.window, cfg.n, signal)) {
      if (!await print(tailText(chunk))) return 0;
      rows += chunk.length;
    }
  } catch (e) {
    if (!isAbort(e, signal)) throw e;
    log.warn(`interrupted after ${rows} rows`);
    return 130;
  } finally {
    store.close();
  }
  let online: string;
  const path = `${cfg.dataDir}/online.kv`;
  try {
    // Opening a missing store would create it: a read-only look leaves the data dir as it was.
    if (!await Deno.stat(path).then(() => true, () => false)) {
      await print(`online store: none (${path} does not exist; ingest and start write it)\n`);
      return 0;
    }
    const kv = await KvFeatureStore.open(path);
    const latest = await kv.latest(cfg.pair, cfg.window);
    kv.close();
    online = latest
      ? `online store latest: ${isoTime(latest.window_start)} close ${latest.close}`
      : "online store: empty";
  } catch (e) {
    online = `online store: unavailable (${(e as Error).message})`;
  }
  await print(online + "\n");
  return 0;
}
