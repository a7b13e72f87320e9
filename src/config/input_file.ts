/** The check of a file flag's value that needs the file system, made before any work starts. */
import { ConfigError } from "./config_error.ts";

/**
 * Checks that `path` (the value of `--flag`) is a file this task can read: a missing file, a
 * directory or a `.gz` name over other content is a bad flag value.
 */
export async function checkInputFile(flag: string, path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new ConfigError(`--${flag}: no such file: ${path}`);
    throw new ConfigError(`--${flag}: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (info.isDirectory) throw new ConfigError(`--${flag}: ${path} is a directory, not a file`);
  if (!path.endsWith(".gz")) return;
  const head = new Uint8Array(2);
  const file = await Deno.open(path);
  try {
    const n = await file.read(head);
    if (n !== 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
      throw new ConfigError(`--${flag}: ${path} is not gzip, though its name ends in .gz`);
    }
  } finally {
    file.close();
  }
}
