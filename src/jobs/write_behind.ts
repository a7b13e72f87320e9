/**
 * Writes batches behind the stage that makes them: a write runs while the next batches are made,
 * and the batches that arrived meanwhile are written together in the next one. A store's cost is
 * mostly per commit (its sync), so the slower the store, the larger its writes become, without a
 * fixed batch size that delays a lone batch. Writes run one at a time and in order; after one
 * fails nothing more is written and the failure is thrown to whoever pushes or closes next.
 */
export class WriteBehind<T> {
  readonly #write: (batches: T[]) => Promise<void>;
  readonly #size: (batch: T) => number;
  readonly #maxQueued: number;
  #queue: T[] = [];
  #queued = 0;
  #running: Promise<void> | undefined;
  #failed: { error: unknown } | undefined;

  /**
   * `write` takes every batch queued since the last write, oldest first; `push` waits for writes
   * once the queue holds `maxQueued` or more (by `size`, such as headlines), so memory is bounded.
   */
  constructor(write: (batches: T[]) => Promise<void>, size: (batch: T) => number, maxQueued: number) {
    this.#write = write;
    this.#size = size;
    this.#maxQueued = maxQueued;
  }

  /** Queues `batch`; resolves once more may be pushed, rejects if a write has failed. */
  async push(batch: T): Promise<void> {
    this.#throwIfFailed();
    this.#queue.push(batch);
    this.#queued += this.#size(batch);
    if (this.#running === undefined) this.#running = this.#drain();
    else if (this.#queued >= this.#maxQueued) {
      await this.#running;
      this.#throwIfFailed();
    }
  }

  /** Writes what is queued and waits for it; rejects if a write has failed. */
  async close(): Promise<void> {
    await this.#running;
    this.#throwIfFailed();
  }

  /** Never rejects: a failure is kept for the next push or close. */
  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batches = this.#queue;
        this.#queue = [];
        this.#queued = 0;
        await this.#write(batches);
      }
    } catch (error) {
      this.#failed = { error };
    } finally {
      this.#running = undefined;
    }
  }

  #throwIfFailed(): void {
    if (this.#failed) throw this.#failed.error;
  }
}
