/**
 * Runs an async function over items with at most `concurrency` calls in flight: how many
 * requests an LLM server is sent at once. The first failure stops the rest (their signal aborts,
 * no new item starts) and is what the pool rejects with, once every call has settled.
 */

/**
 * @example
 * ```ts
 * await forEachConcurrently(titles, 4, async (title, i, signal) => {
 *   out[i] = await labeller.label(title, signal);
 * }, runSignal);
 * ```
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number, signal: AbortSignal) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  }
  const stop = new AbortController();
  const stopped = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!stopped.aborted && next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i, stopped);
      } catch (error) {
        if (failure === undefined) {
          failure = { error };
          stop.abort(error);
        }
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
  if (signal?.aborted) throw signal.reason;
}
