/**
 * Store reads shared by every request of the same second: the first request of a key asks the
 * store and the others, until the read is `ttlMs` old, get its promise. A burst of any size costs
 * one read per key, and what a request holds in memory is a reference, not its own copy.
 */

/** Keys beyond which expired entries are dropped (the app's keys are a few per tracked series). */
const SWEEP_AT = 256;

export interface SharedReadsOptions {
  /** How long a read answers for its key, in ms. @default {1000} */
  ttlMs?: number;
  /** A monotonic clock in ms. @default {performance.now} */
  clock?: () => number;
}

export class SharedReads {
  #entries = new Map<string, { at: number; value: Promise<unknown> }>();
  #ttlMs: number;
  #clock: () => number;

  constructor({ ttlMs = 1000, clock = () => performance.now() }: SharedReadsOptions = {}) {
    if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be positive, got ${ttlMs}`);
    this.#ttlMs = ttlMs;
    this.#clock = clock;
  }

  /**
   * The value of `key`: from a read under way or made less than `ttlMs` ago, else from `read()`.
   * A failed read is forgotten at once, so the next request tries the store again.
   *
   * @example
   * ```ts
   * const reads = new SharedReads();
   * const rows = await reads.get("candles|BTC/USD|1m", () => store.recent("BTC/USD", "1m", 500));
   * ```
   */
  get<T>(key: string, read: () => Promise<T>): Promise<T> {
    const now = this.#clock();
    const hit = this.#entries.get(key);
    if (hit && now - hit.at < this.#ttlMs) return hit.value as Promise<T>;
    if (!hit && this.#entries.size >= SWEEP_AT) {
      for (const [k, e] of this.#entries) if (now - e.at >= this.#ttlMs) this.#entries.delete(k);
    }
    const value = read();
    this.#entries.set(key, { at: now, value });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    return value;
  }
}
