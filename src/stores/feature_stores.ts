/** Both feature stores of a data dir, written together. */
import type { FeatureRow } from "../domain/feature_row.ts";
import type { NewsSignal } from "../domain/news.ts";
import { DuckDbFeatureStore } from "./offline_duckdb.ts";
import { KvFeatureStore, onlineKvPath } from "./online_kv.ts";
import { OnlineTail } from "./online_tail.ts";

export { onlineKvPath };

export interface FeatureStores {
  online: KvFeatureStore;
  offline: DuckDbFeatureStore;
  /** Offline first: the online store must never be ahead of the history. */
  upsert(rows: readonly FeatureRow[]): Promise<void>;
  /** Writes what the online store was left for the end (`onlineAtEnd`); nothing otherwise. */
  finish(): Promise<void>;
  /** Classified headlines, offline first as well. */
  putSignals(signals: readonly NewsSignal[]): Promise<void>;
  close(): void;
}

export interface FeatureStoresOptions {
  /**
   * For a bounded backfill that is simply rerun (a trade file): the online store gets each
   * series' latest and recent rows once, at `finish()`, instead of every row as it comes
   * (./online_tail.ts). The offline store still gets every row at once.
   */
  onlineAtEnd?: boolean | undefined;
}

export async function openFeatureStores(
  dataDir: string,
  options: FeatureStoresOptions = {},
): Promise<FeatureStores> {
  await Deno.mkdir(dataDir, { recursive: true });
  const offline = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`);
  let online: KvFeatureStore;
  try {
    online = await KvFeatureStore.open(onlineKvPath(dataDir));
  } catch (e) {
    offline.close();
    throw new Error(`cannot open the online store ${onlineKvPath(dataDir)}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const tail = options.onlineAtEnd ? new OnlineTail() : undefined;
  return {
    online,
    offline,
    async upsert(rows) {
      if (rows.length === 0) return;
      await offline.upsert(rows);
      if (tail) tail.add(rows);
      else await online.upsert(rows);
    },
    async finish() {
      if (tail) await online.upsert(tail.take());
    },
    async putSignals(signals) {
      if (signals.length === 0) return;
      await offline.putSignals(signals);
      await online.putSignals(signals);
    },
    close() {
      online.close();
      offline.close();
    },
  };
}
