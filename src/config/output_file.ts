/** The check of a file flag's value the task will write, made before any work starts. */
import { dirname } from "node:path";
import { ConfigError } from "./config_error.ts";

/**
 * Checks that `path` (the value of `--flag`) can be a file this task writes: its directory exists
 * and it is no directory itself. Found out at the first write instead, a mistyped path stopped
 * the task with an error naming no flag, after it had claimed and opened the data dir.
 *
 * @example
 * ```ts
 * if (cfg.record !== undefined) await checkOutputFile("record", cfg.record);
 * ```
 */
export async function checkOutputFile(flag: string, path: string): Promise<void> {
  const dir = dirname(path);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ConfigError(`--${flag}: no such directory: ${dir}`, { cause: e });
    }
    throw new ConfigError(`--${flag}: cannot read ${dir}: ${(e as Error).message}`, { cause: e });
  }
  if (!info.isDirectory) throw new ConfigError(`--${flag}: ${dir} is not a directory`);
  const existing = await Deno.stat(path).catch(() => undefined);
  if (existing?.isDirectory) throw new ConfigError(`--${flag}: ${path} is a directory, not a file`);
}

/**
 * Whether `a` and `b` name the same existing file, through links and other spellings of its path:
 * a file written as it is read loses what was not read yet.
 */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([a, b].map((p) => Deno.stat(p).catch(() => undefined)));
  return x?.ino != null && x.ino === y?.ino && x.dev === y.dev;
}

/** The files of a data dir that hold its stores: a file written over one of them destroys it. */
const STORE_FILES = { "offline.duckdb": "offline store", "online.kv": "online store" } as const;

/**
 * Throws a `ConfigError` when `path` (the value of `--flag`) is one of `dataDir`'s store files, by
 * any spelling of its path: the export or record written over it would leave text where the
 * offline or online store was.
 *
 * @example
 * ```ts
 * await checkNotAStore("out", cfg.out, cfg.dataDir);
 * ```
 */
export async function checkNotAStore(flag: string, path: string, dataDir: string): Promise<void> {
  for (const [name, store] of Object.entries(STORE_FILES)) {
    if (await sameFile(path, `${dataDir}/${name}`)) {
      throw new ConfigError(
        `--${flag} ${path} is the ${store} of --data-dir ${dataDir}: give another --${flag}`,
      );
    }
  }
}
