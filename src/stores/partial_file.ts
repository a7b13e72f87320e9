/**
 * A file too big to build in memory, written a piece at a time beside its target
 * (`PATH.partial-PID`) and renamed over it only when complete: an export that fails or is
 * interrupted never leaves a half file under the target's name, and whatever was there before
 * stays until the rename. For small files replaced whole, see ./atomic_file.ts.
 */
export class PartialFile {
  readonly path: string;
  readonly partial: string;
  #file: Deno.FsFile | undefined;

  private constructor(path: string, partial: string, file: Deno.FsFile) {
    this.path = path;
    this.partial = partial;
    this.#file = file;
  }

  /**
   * Creates the partial file of `path`; its directory must exist, as it must for the target.
   *
   * @example
   * ```ts
   * const out = await PartialFile.open("features.csv");
   * try {
   *   for await (const text of pieces) await out.write(new TextEncoder().encode(text));
   *   await out.commit();
   * } finally {
   *   await out.discard();
   * }
   * ```
   */
  static async open(path: string): Promise<PartialFile> {
    const partial = `${path}.partial-${Deno.pid}`;
    try {
      return new PartialFile(
        path,
        partial,
        await Deno.open(partial, { write: true, create: true, truncate: true }),
      );
    } catch (e) {
      throw new Error(`cannot write ${path}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Appends all of `bytes`. */
  async write(bytes: Uint8Array): Promise<void> {
    if (!this.#file) throw new Error(`${this.path}: written after it was committed or discarded`);
    for (let done = 0; done < bytes.length;) done += await this.#file.write(bytes.subarray(done));
  }

  /**
   * Flushes the file to disk and renames it over the target. The flush comes first so a power cut
   * cannot leave the target's name on a file whose bytes never reached the disk.
   */
  async commit(): Promise<void> {
    const file = this.#file;
    if (!file) throw new Error(`${this.path}: committed after it was committed or discarded`);
    this.#file = undefined;
    try {
      try {
        await file.syncData();
      } finally {
        file.close();
      }
      await Deno.rename(this.partial, this.path);
    } catch (e) {
      await Deno.remove(this.partial).catch(() => {});
      throw new Error(`cannot write ${this.path}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Closes and removes the partial file, unless it was committed: safe to call in any `finally`. */
  async discard(): Promise<void> {
    const file = this.#file;
    if (!file) return;
    this.#file = undefined;
    file.close();
    await Deno.remove(this.partial).catch(() => {});
  }
}
