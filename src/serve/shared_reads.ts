/**
 * Store reads shared by every request of the same second: the first request of a key asks the
 * store and the others, until the read is `ttlMs` old, get its promise, or its value itself once
 * it has answered (so a route can answer without waiting on a promise). A burst of any size costs
 * one read per key, and what a request holds in memory is a reference, not its own copy.
 *
 * With `refreshAheadMs`, a key still asked for in the last `refreshAheadMs` of its read's life is
 * read again in the background while the old value answers, so under steady traffic no request
 * waits on the store (one waiting would hold up every request of the key behind it); no value is
 * ever answered once it is `ttlMs` old.
 */

/** Keys beyond which expired entries are dropped (the app's keys are a few per tracked series). */
const SWEEP_AT = 256;

export interface SharedReadsOptions {
  /** How long a read answers for its key, in ms. @default {1000} */
  ttlMs?: number;
  /** How long before a read is `ttlMs` old the next one starts, when its key is asked for. @default {0} */
  refreshAheadMs?: number;
  /** A monotonic clock in ms. @default {performance.now} */
  clock?: () => number;
}

interface Entry {
  at: number;
  promise: Promise<unknown>;
  /** The read's value, once it has answered. */
  answered?: { value: unknown };
  /** A read started to take its place. */
  refreshing?: boolean;
}

export class SharedReads {
  #entries = new Map<string, Entry>();
  #ttlMs: number;
  #refreshAt: number;
  #clock: () => number;

  constructor(
    { ttlMs = 1000, refreshAheadMs = 0, clock = () => performance.now() }: SharedReadsOptions = {},
  ) {
    if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be positive, got ${ttlMs}`);
    if (!(refreshAheadMs >= 0 && refreshAheadMs < ttlMs)) {
      throw new RangeError(`refreshAheadMs must be from 0 to less than ttlMs, got ${refreshAheadMs}`);
    }
    this.#ttlMs = ttlMs;
    this.#refreshAt = refreshAheadMs > 0 ? ttlMs - refreshAheadMs : Infinity;
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
    const value = this.getNow(key, read);
    return value instanceof Promise ? value : Promise.resolve(value);
  }

  /**
   * Like `get`, but the value itself when a read made less than `ttlMs` ago has answered already;
   * a promise only while a read is under way (its own, or one this call starts).
   *
   * @example
   * ```ts
   * const rows = reads.getNow("candles|BTC/USD|1m", read);
   * return rows instanceof Promise ? rows.then(render) : render(rows);
   * ```
   */
  getNow<T>(key: string, read: () => Promise<T>): T | Promise<T> {
    const now = this.#clock();
    const hit = this.#entries.get(key);
    if (hit && now - hit.at < this.#ttlMs) {
      if (!hit.answered) return hit.promise as Promise<T>;
      if (now - hit.at >= this.#refreshAt && !hit.refreshing) {
        hit.refreshing = true;
        // It takes this entry's place once it has answered; failed, this one lives out its ttl.
        this.#read(key, read, now, true).catch(() => hit.refreshing = false);
      }
      return hit.answered.value as T;
    }
    if (!hit && this.#entries.size >= SWEEP_AT) {
      for (const [k, e] of this.#entries) if (now - e.at >= this.#ttlMs) this.#entries.delete(k);
    }
    return this.#read(key, read, now, false);
  }

  /** A read of `key` made at `now`, entered at once, or (`behind` another) once it has answered. */
  #read<T>(key: string, read: () => Promise<T>, now: number, behind: boolean): Promise<T> {
    const promise = read();
    const entry: Entry = { at: now, promise };
    if (!behind) this.#entries.set(key, entry);
    promise.then((value) => {
      entry.answered = { value };
      // Unless a read made later has taken the key meanwhile.
      if (behind && !((this.#entries.get(key)?.at ?? -Infinity) > now)) this.#entries.set(key, entry);
    }, () => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    return promise;
  }
}
