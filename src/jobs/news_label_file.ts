/**
 * The JSONL files `news:label` appends to, one JSON object per line, each line written whole by
 * itself so a crash can only leave the last one torn. Opening one cuts such a torn tail off and
 * gives the ids already in it: a rerun skips those and labels the rest.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class JsonlAppender {
  readonly path: string;
  #file: Deno.FsFile;
  #queue: Promise<void> = Promise.resolve();

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /**
   * Opens `path` for appending (creating it). `ids`: the `id` of every line in it; `trimmed`: the
   * bytes of a torn last line cut off. A line that is not a JSON object anywhere else fails the
   * open: the file is not one this task wrote, and appending to it would hide that.
   */
  static async open(path: string): Promise<{ appender: JsonlAppender; ids: Set<string>; trimmed: number }> {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      bytes = new Uint8Array();
    }
    const end = bytes.lastIndexOf(0x0a) + 1;
    const trimmed = bytes.length - end;
    if (trimmed > 0) await Deno.truncate(path, end);
    const ids = new Set<string>();
    decoder.decode(bytes.subarray(0, end)).split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        row = undefined;
      }
      if (typeof row !== "object" || row === null || Array.isArray(row)) {
        throw new Error(`${path}:${i + 1} is not a JSON object; give another file`);
      }
      const id = (row as { id?: unknown }).id;
      if (typeof id === "string" || typeof id === "number") ids.add(String(id));
    });
    const file = await Deno.open(path, { append: true, create: true });
    return { appender: new JsonlAppender(path, file), ids, trimmed };
  }

  /** Appends `row` as one line; concurrent calls are written one after the other, never interleaved. */
  append(row: unknown): Promise<void> {
    const data = encoder.encode(JSON.stringify(row) + "\n");
    const write = async () => {
      let written = 0;
      while (written < data.length) written += await this.#file.write(data.subarray(written));
    };
    const done = this.#queue.then(write);
    this.#queue = done.catch(() => {});
    return done;
  }

  /** Waits for the writes in flight, then closes the file. */
  async close(): Promise<void> {
    await this.#queue;
    this.#file.close();
  }
}
