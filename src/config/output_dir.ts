/** The check of a directory flag's value that needs the file system, made before any work starts. */
import { ConfigError } from "./config_error.ts";

/**
 * Checks that `path` (the value of `--flag`) is a directory this task can write, creating it when
 * it is missing: a file in its place, or a directory that refuses writes, is a bad flag value. A
 * task that trains found out only at its first registration, and ran on predicting "no change".
 *
 * @example
 * ```ts
 * await checkOutputDir("models-dir", cfg.modelsDir);
 * ```
 */
export async function checkOutputDir(flag: string, path: string): Promise<void> {
  try {
    await Deno.mkdir(path, { recursive: true });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists || e instanceof Deno.errors.NotADirectory) {
      throw new ConfigError(`--${flag}: ${path} is not a directory`, { cause: e });
    }
    throw new ConfigError(`--${flag}: cannot create ${path}: ${(e as Error).message}`, { cause: e });
  }
  const probe = `${path}/.write-check-${crypto.randomUUID()}`;
  try {
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (e) {
    throw new ConfigError(`--${flag}: ${path} is not writable: ${(e as Error).message}`, { cause: e });
  }
}
