/**
 * A consumer stage's per-partition checkpoints: the state and the last offset applied to it, one
 * JSON file per group, topic and partition under `<dataDir>/checkpoints`, replaced atomically.
 */
import { writeFileAtomic } from "../stores/atomic_file.ts";

export interface Checkpoint<S> {
  /** Last offset applied to `state`; -1 before any. */
  offset: bigint;
  state: S;
}

export interface StageCheckpoints<S> {
  /** The partition's checkpoint, or null when there is none. */
  load(partition: number): Promise<Checkpoint<S> | null>;
  save(partition: number, checkpoint: Checkpoint<S>): Promise<void>;
}

export function stageCheckpoints<S>(dataDir: string, groupId: string, topic: string): StageCheckpoints<S> {
  const dir = `${dataDir}/checkpoints`;
  const file = (p: number) => `${dir}/bus_${groupId}_${topic}_${p}.json`.replace(/[^\w./-]/g, "_");
  return {
    async load(partition) {
      try {
        const cp = JSON.parse(await Deno.readTextFile(file(partition)));
        return { offset: BigInt(cp.offset), state: cp.state as S };
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return null;
        throw new Error(
          `checkpoint ${file(partition)} is unreadable (${(e as Error).message}); delete it to rebuild`,
          { cause: e },
        );
      }
    },
    async save(partition, cp) {
      await writeFileAtomic(
        file(partition),
        JSON.stringify({ offset: cp.offset.toString(), state: cp.state }),
      );
    },
  };
}
