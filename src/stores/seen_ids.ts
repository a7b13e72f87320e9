import { writeFileAtomic } from "./atomic_file.ts";

/**
 * The ids of news items already handed on, persisted so a restart does not hand them on again.
 * Bounded: the newest `limit` ids are kept, far more than any poll can return again.
 *
 * Opened `untilWritten`, an id handed on is saved only once the consumer says it was
 * {@linkcode SeenIds.written}: a source marks a whole poll at once, and a consumer that writes
 * behind its classifier has several batches in flight, so "save after each write" alone would
 * save ids a crash then loses.
 */
export class SeenIds {
  #ids: Set<string>;
  #dirty = false;
  /** Handed on, not yet written: left out of saves (only when opened `untilWritten`). */
  #unwritten: Set<string> | undefined;

  private constructor(readonly path: string, ids: string[], readonly limit: number, untilWritten: boolean) {
    this.#ids = new Set(ids);
    if (untilWritten) this.#unwritten = new Set();
  }

  static async open(path: string, limit = 20_000, { untilWritten = false } = {}): Promise<SeenIds> {
    try {
      const ids = JSON.parse(await Deno.readTextFile(path));
      if (!Array.isArray(ids)) throw new Error("not a list");
      return new SeenIds(path, ids.map(String), limit, untilWritten);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return new SeenIds(path, [], limit, untilWritten);
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
    this.#unwritten?.add(id);
    this.#dirty = true;
    if (this.#ids.size > this.limit) {
      const oldest = this.#ids.values().next().value;
      if (oldest !== undefined) {
        this.#ids.delete(oldest);
        this.#unwritten?.delete(oldest);
      }
    }
  }

  /** Says the items of `ids` were written downstream, so the next save keeps them. */
  written(ids: Iterable<string>): void {
    if (!this.#unwritten) return;
    for (const id of ids) if (this.#unwritten.delete(id)) this.#dirty = true;
  }

  get size(): number {
    return this.#ids.size;
  }

  /**
   * Writes the set atomically (less the unwritten ids, opened `untilWritten`); call after the
   * items it covers were written downstream.
   */
  async save(): Promise<void> {
    if (!this.#dirty) return;
    const unwritten = this.#unwritten;
    const ids = unwritten?.size ? [...this.#ids].filter((id) => !unwritten.has(id)) : [...this.#ids];
    // Cleared first, so an id written while the file is being replaced marks it dirty again.
    this.#dirty = false;
    try {
      await writeFileAtomic(this.path, JSON.stringify(ids));
    } catch (e) {
      this.#dirty = true;
      throw e;
    }
  }
}
