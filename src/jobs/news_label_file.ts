/**
 * The JSONL files `news:label` appends to, one JSON object per line, each line written whole by
 * itself so a crash can only leave the last one torn. Opening one cuts such a torn tail off and
 * gives the ids already in it: a rerun skips those and labels the rest.
 */
import { ConfigError } from "../config/config_error.ts";

/** What the lines of one of these files hold: the flag that names it, and the fields each line has. */
export interface JsonlKind {
  flag: string;
  /** e.g. "a labelled headline", for the error naming a line that is not one. */
  what: string;
  fields: readonly string[];
}

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
   * bytes of a torn last line cut off. A line that is not of `kind` anywhere else fails the open
   * (exit 2): the file is not one this task wrote, and appending to it would hide that.
   */
  static async open(
    path: string,
    kind: JsonlKind,
  ): Promise<{ appender: JsonlAppender; ids: Set<string>; trimmed: number }> {
    const { ids, trimmed } = await JsonlAppender.read(path, kind);
    if (trimmed > 0) await Deno.truncate(path, (await Deno.stat(path)).size - trimmed);
    const file = await Deno.open(path, { append: true, create: true });
    return { appender: new JsonlAppender(path, file), ids, trimmed };
  }

  /** Checks `path`, if it exists, as `open` does, without creating or cutting anything. */
  static async check(path: string, kind: JsonlKind): Promise<void> {
    await JsonlAppender.read(path, kind);
  }

  private static async read(path: string, kind: JsonlKind): Promise<{ ids: Set<string>; trimmed: number }> {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
      bytes = new Uint8Array();
    }
    const end = bytes.lastIndexOf(0x0a) + 1;
    const ids = new Set<string>();
    decoder.decode(bytes.subarray(0, end)).split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      const row = objectOf(line);
      const missing = row === undefined ? kind.fields : kind.fields.filter((f) => !(f in row));
      if (missing.length > 0) {
        throw new ConfigError(
          `--${kind.flag}: ${path}:${i + 1} is not ${kind.what} (${
            row === undefined ? "not a JSON object" : `no ${missing.join(" or ")}`
          }): give another file`,
        );
      }
      const id = row!.id;
      if (typeof id === "string" || typeof id === "number") ids.add(String(id));
    });
    return { ids, trimmed: bytes.length - end };
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

function objectOf(line: string): Record<string, unknown> | undefined {
  try {
    const row: unknown = JSON.parse(line);
    return typeof row === "object" && row !== null && !Array.isArray(row)
      ? row as Record<string, unknown>
      : undefined;
  } catch {
    return undefined;
  }
}
