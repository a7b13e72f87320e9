/**
 * An unbounded FIFO between a push-style producer (WebSocket events) and a pull-style consumer
 * (an async generator). `close()` lets the consumer drain what is queued, then end.
 */
export class AsyncQueue<T> {
  #items: T[] = [];
  #head = 0;
  #waiter: ((done: boolean) => void) | undefined;
  #closed = false;

  push(item: T): void {
    if (this.#closed) return;
    this.#items.push(item);
    this.#wake(false);
  }

  close(): void {
    this.#closed = true;
    this.#wake(true);
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  /** The next item, or `undefined` once closed and drained. Rejects if `signal` aborts first. */
  async next(signal?: AbortSignal): Promise<T | undefined> {
    while (this.size === 0) {
      if (this.#closed) return undefined;
      signal?.throwIfAborted();
      await new Promise<boolean>((resolve, reject) => {
        const onAbort = () => reject(signal?.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#waiter = (done) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(done);
        };
      });
    }
    const item = this.#items[this.#head] as T;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  #wake(done: boolean): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(done);
  }
}
