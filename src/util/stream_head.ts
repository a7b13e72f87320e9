/** The first items of a stream, read ahead to decide something, and the stream they still begin. */

/**
 * Reads up to `count` items of `stream`; resolves with them and a stream of all its items, those
 * first. A failure while reading them rejects here; a later one fails the returned stream.
 *
 * @example
 * ```ts
 * const { head, stream: all } = await streamHead(candles, 50);
 * checkCandleInterval(head.map((c) => c.window_start), windows);
 * ```
 */
export async function streamHead<T>(
  stream: ReadableStream<T>,
  count: number,
): Promise<{ head: T[]; stream: ReadableStream<T> }> {
  const reader = stream.getReader();
  const head: T[] = [];
  while (head.length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    head.push(value);
  }
  let next = 0;
  const all = new ReadableStream<T>({
    async pull(controller) {
      if (next < head.length) {
        controller.enqueue(head[next++] as T);
        return;
      }
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { head, stream: all };
}
