/**
 * What a bounded backfill leaves in the online store, held until it ends. The online store serves
 * each series' latest row and its last {@linkcode RECENT_ROWS} rows for charts; of a backfill's
 * rows, every other one would be written there only to be deleted by a later one, and at real
 * trade density those writes cost more than everything else the backfill does. The offline store
 * still gets every row as it goes.
 */
import type { FeatureRow } from "../domain/feature_row.ts";
import { RECENT_ROWS } from "./online_kv.ts";

export class OnlineTail {
  readonly #keep: number;
  /** Per series, rows in arrival order, the newest `keep` of them at least. */
  #series = new Map<string, FeatureRow[]>();

  constructor(keep = RECENT_ROWS) {
    if (!Number.isInteger(keep) || keep <= 0) {
      throw new RangeError(`keep must be a positive integer, not ${keep}`);
    }
    this.#keep = keep;
  }

  add(rows: readonly FeatureRow[]): void {
    for (const r of rows) {
      const k = `${r.pair}|${r.window}`;
      let held = this.#series.get(k);
      if (!held) this.#series.set(k, held = []);
      held.push(r);
      // Trimmed now and then, not per row: a splice per row would copy the array each time.
      if (held.length >= 2 * this.#keep) held.splice(0, held.length - this.#keep);
    }
  }

  /**
   * Each series' last `keep` rows in arrival order (of rows sharing a key, the later wins when
   * they are written in this order, as it would have), and forgets them.
   */
  take(): FeatureRow[] {
    const out: FeatureRow[] = [];
    for (const held of this.#series.values()) out.push(...held.slice(-this.#keep));
    this.#series.clear();
    return out;
  }
}
