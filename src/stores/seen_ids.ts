import { writeFileAtomic } from "./atomic_file.ts";

/**
 * The ids of news items already handed on, persisted so a restart does not hand them on again.
 * Bounded: the newest `limit` ids are kept, far more than any poll can return again.
 */
export class SeenIds {
  #ids: Set<string>;
  #dirty = false;

  private constructor(readonly path: string, ids: string[], readonly limit: number) {
    this.#ids = new Set(ids);
  }

  static async open(path: string, limit = 20_000): Promise<SeenIds> {
    try {
      const ids = JSON.parse(await Deno.readTextFile(path));
      if (!Array.isArray(ids)) throw new Error("not a list");
      return new SeenIds(path, ids.map(String), limit);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return new SeenIds(path, [], limit);
      throw new Error(`${path} is unreadable (${(e as Error).message}); delete it to start over`, {
        cause: e,
      });
    }
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  add(id: string): void {
    if (this.#ids.has(id)) return;
    this.#ids.add(id);
    this.#dirty = true;
    if (this.#ids.size > this.limit) {
      const oldest = this.#ids.values().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
  }

  get size(): number {
    return this.#ids.size;
  }

  /** Writes the set atomically; call after the items it covers were written downstream. */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    await writeFileAtomic(this.path, JSON.stringify([...this.#ids]));
    this.#dirty = false;
  }
}
