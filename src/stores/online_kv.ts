/**
 * The online store on Deno KV: the latest feature row of every (pair, window), read in well under
 * a millisecond. A local SQLite file by default; a Deno Deploy KV URL in production. An upsert
 * only moves the latest row forward, so replays and overlapping backfills cannot roll it back.
 */
import type { Window } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import type { FeatureStore } from "./feature_store.ts";

export class KvFeatureStore implements FeatureStore {
  #kv: Deno.Kv;

  private constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** Opens the store at `path` (a file, a KV URL, or `:memory:`). */
  static async open(path: string): Promise<KvFeatureStore> {
    return new KvFeatureStore(await Deno.openKv(path));
  }

  #key(pair: string, window: Window): Deno.KvKey {
    return ["features", "latest", pair, window];
  }

  async upsert(rows: readonly FeatureRow[]): Promise<void> {
    const newest = new Map<string, FeatureRow>();
    for (const r of rows) {
      const k = `${r.pair}|${r.window}`;
      const seen = newest.get(k);
      if (!seen || r.window_start >= seen.window_start) newest.set(k, r);
    }
    for (const row of newest.values()) {
      const key = this.#key(row.pair, row.window);
      for (;;) {
        const current = await this.#kv.get<FeatureRow>(key);
        if (current.value && current.value.window_start > row.window_start) break;
        const res = await this.#kv.atomic().check(current).set(key, row).commit();
        if (res.ok) break;
      }
    }
  }

  async latest(pair: string, window: Window): Promise<FeatureRow | null> {
    return (await this.#kv.get<FeatureRow>(this.#key(pair, window))).value;
  }

  /** The online store keeps only the latest row, so it answers only when that row was known at `t`. */
  async asOf(pair: string, window: Window, t: number): Promise<FeatureRow | null> {
    const row = await this.latest(pair, window);
    return row && row.window_end <= t ? row : null;
  }

  close(): void {
    this.#kv.close();
  }
}
