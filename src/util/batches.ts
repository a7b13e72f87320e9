/**
 * Groups a stream's items into arrays of at most `size`, handing a partial batch on once no
 * item has arrived for `idleMs` (so a slow source, such as a poll every minute, is not held
 * back waiting for a full batch). `flush` hands on the partial batch when the input ends; a
 * cancelled stream drops it.
 */
export class BatchStream<T> extends TransformStream<T, T[]> {
  constructor(size: number, idleMs: number) {
    let batch: T[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = (controller: TransformStreamDefaultController<T[]>) => {
      clearTimeout(timer);
      timer = undefined;
      if (batch.length === 0) return;
      controller.enqueue(batch);
      batch = [];
    };
    super({
      transform(item, controller) {
        batch.push(item);
        if (batch.length >= size) return flush(controller);
        clearTimeout(timer);
        timer = setTimeout(() => flush(controller), idleMs);
      },
      flush(controller) {
        flush(controller);
      },
      // A consumer that stops reading (Ctrl-C) leaves no timer to hand a batch to a cancelled stream.
      cancel() {
        clearTimeout(timer);
        timer = undefined;
        batch = [];
      },
    });
  }
}
