/** The check, before any work starts, that a file flag's value can be created where it points. */
import { ConfigError } from "./config_error.ts";

/**
 * Checks that the directory `path` (the value of `--flag`) goes into exists; it is not created, so a
 * mistyped path is a bad flag value rather than the file system's message about some later open.
 *
 * @example
 * ```ts
 * await checkParentDir("out", "exports/news.csv");
 * ```
 */
export async function checkParentDir(flag: string, path: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
  try {
    if (!(await Deno.stat(dir)).isDirectory) throw new ConfigError(`--${flag}: ${dir} is not a directory`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new ConfigError(`--${flag}: no such directory: ${dir}`);
    if (e instanceof Deno.errors.NotADirectory) throw new ConfigError(`--${flag}: ${dir} is not a directory`);
    throw e;
  }
}
