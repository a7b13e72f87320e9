/** The check of a directory flag (`--data-dir`, `--models-dir`) made before a task starts work. */
import { ConfigError } from "./config_error.ts";

/**
 * Throws a `ConfigError` naming `--flag` when `path` is there but is not a directory (a file in
 * its place, or under a file). A missing directory is left to the task, which creates it or says
 * what to run first; the operating system's "Not a directory" named neither the flag nor, from a
 * file backfill, the path.
 *
 * @example
 * ```ts
 * await checkDirFlag("models-dir", cfg.modelsDir);
 * ```
 */
export async function checkDirFlag(flag: string, path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    if (e instanceof Deno.errors.NotADirectory) {
      throw new ConfigError(`--${flag}: ${path} is not a directory`, { cause: e });
    }
    throw new ConfigError(`--${flag}: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (!info.isDirectory) throw new ConfigError(`--${flag}: ${path} is not a directory`);
}
