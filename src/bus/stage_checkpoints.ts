/**
 * A consumer stage's per-partition checkpoints: the state and the last offset applied to it, one
 * JSON file per group, topic and partition under `<dataDir>/checkpoints`, replaced atomically.
 * Each file also says when it was saved, for `bus status`. The same checkpoint goes to the stage's
 * changelog topic (./changelog.ts), from which a stage without the file restores.
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
  /** Saves the partition's checkpoint, stamped `at` (epoch ms). */
  save(partition: number, checkpoint: Checkpoint<S>, at?: number): Promise<void>;
  /** When the partition's checkpoint was saved (epoch ms), or null when there is none. */
  savedAt(partition: number): Promise<number | null>;
}

export function stageCheckpoints<S>(dataDir: string, groupId: string, topic: string): StageCheckpoints<S> {
  const dir = `${dataDir}/checkpoints`;
  const file = (p: number) => `${dir}/bus_${groupId}_${topic}_${p}.json`.replace(/[^\w./-]/g, "_");
  const read = async (partition: number) => {
    try {
      return JSON.parse(await Deno.readTextFile(file(partition)));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw new Error(
        `checkpoint ${file(partition)} is unreadable (${(e as Error).message}); delete it to rebuild`,
        { cause: e },
      );
    }
  };
  return {
    async load(partition) {
      const cp = await read(partition);
      return cp === null ? null : { offset: BigInt(cp.offset), state: cp.state as S };
    },
    async save(partition, cp, at = Date.now()) {
      await writeFileAtomic(
        file(partition),
        JSON.stringify({ offset: cp.offset.toString(), at, state: cp.state }),
      );
    },
    async savedAt(partition) {
      const cp = await read(partition);
      if (cp === null) return null;
      // Files saved before the time was kept: their modification time says the same.
      if (typeof cp.at === "number") return cp.at;
      return (await Deno.stat(file(partition))).mtime?.getTime() ?? null;
    },
  };
}
