/**
 * One partition's pipeline in a consumer stage: a `ReadableStream` of slices the consumer feeds,
 * piped through the stage's stages into its sink, which writes a slice's outputs and then saves the
 * checkpoint. The consumer waits for each slice to be saved before it commits the offset, so a
 * slice is in flight at a time and a commit never runs ahead of what is written.
 *
 * A pipeline that fails is not repaired: its stages' state may have moved past what was written.
 * The consumer drops it, and the partition's next batch starts a new one from the checkpoint.
 */
import type { Batch } from "../stages/batch.ts";
import type { Checkpoint } from "./stage_checkpoints.ts";

/**
 * Builds a partition's pipeline: `slices` through the stages into a sink that calls `saved` with
 * each batch once its outputs are written, and the stage state as of it.
 */
export type PipelineOf<S> = (
  slices: ReadableStream<Batch>,
  state: S,
  saved: (batch: Batch, state: S) => Promise<void>,
) => Promise<void>;

interface Pending {
  offset: bigint;
  resolve(): void;
  reject(e: unknown): void;
}

export class PartitionPipe<S> {
  #controller!: ReadableStreamDefaultController<Batch>;
  #pending = new Map<Batch, Pending>();
  #failure: unknown;
  #ended = false;

  /**
   * @param from the checkpoint the pipeline continues
   * @param save saves a checkpoint (before the slice it covers is acknowledged)
   */
  constructor(pipeline: PipelineOf<S>, from: Checkpoint<S>, save: (cp: Checkpoint<S>) => Promise<void>) {
    // No queue: the consumer hands on a slice only once the one before it is saved.
    const slices = new ReadableStream<Batch>({ start: (c) => void (this.#controller = c) }, {
      highWaterMark: 0,
    });
    pipeline(slices, from.state, async (batch, state) => {
      const pending = this.#pending.get(batch);
      if (!pending) throw new Error("a stage emitted a batch the partition did not send");
      await save({ offset: pending.offset, state });
      this.#pending.delete(batch);
      pending.resolve();
    }).then(
      () => this.#end(new Error("the partition's pipeline ended with slices unsaved")),
      (e) => this.#end(e),
    );
  }

  /** Sends a slice ending at `offset` down the pipeline; resolves once its checkpoint is saved. */
  send(batch: Batch, offset: bigint): Promise<void> {
    if (this.#ended) return Promise.reject(this.#failure ?? new Error("the partition's pipeline is closed"));
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#pending.set(batch, { offset, resolve, reject });
    try {
      this.#controller.enqueue(batch);
    } catch (e) {
      // The pipeline failed and cancelled its source before its failure reached here.
      this.#end(e);
    }
    return promise;
  }

  /** Ends the pipeline (the partition was revoked, or the stage stops). */
  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#controller.close();
  }

  #end(e: unknown) {
    this.#failure ??= e;
    this.#ended = true;
    for (const p of this.#pending.values()) p.reject(this.#failure);
    this.#pending.clear();
  }
}
