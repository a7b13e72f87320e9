import { sleep } from "../util/abortable.ts";

/**
 * Spaces calls at least `1 / ratePerSecond` apart. One instance is shared by everything that
 * calls the same API, so backfill and gap filling together stay inside the exchange's limit.
 */
export class RateLimiter {
  #intervalMs: number;
  #next = 0;
  #now: () => number;

  constructor(ratePerSecond: number, now: () => number = Date.now) {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate must be positive, got ${ratePerSecond}`);
    this.#intervalMs = 1000 / ratePerSecond;
    this.#now = now;
  }

  /** Waits for the next free slot and takes it. */
  async take(signal?: AbortSignal): Promise<void> {
    const now = this.#now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.#intervalMs;
    if (at > now) await sleep(at - now, signal);
  }

  /** Pushes the next slot out, e.g. after the server said "too many requests". */
  pause(ms: number): void {
    this.#next = Math.max(this.#next, this.#now() + ms);
  }
}
