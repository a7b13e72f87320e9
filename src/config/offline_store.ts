/** The check of `--data-dir` by a task that reads its offline store, made before any work starts. */
import { ConfigError } from "./config_error.ts";

/**
 * The offline store of `dataDir`; a missing directory, or one without a store, is a bad
 * `--data-dir` (exit 2), as a series the store lacks is. `fill` names the task that writes one.
 *
 * @example
 * ```ts
 * const store = await DuckDbFeatureStore.open(await offlineStore(cfg.dataDir, "ingest or backfill"), {
 *   readOnly: true,
 * });
 * ```
 */
export async function offlineStore(dataDir: string, fill: string): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dataDir);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ConfigError(`--data-dir: no such directory: ${dataDir}`, { cause: e });
    }
    throw e;
  }
  if (!info.isDirectory) throw new ConfigError(`--data-dir: ${dataDir} is not a directory`);
  const path = `${dataDir}/offline.duckdb`;
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ConfigError(
        `--data-dir: ${dataDir} has no offline store (offline.duckdb): run deno task ${fill} first`,
        { cause: e },
      );
    }
    throw e;
  }
  return path;
}
