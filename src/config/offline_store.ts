/** The check of `--data-dir` by a task that reads its offline store, made before any work starts. */
import { ConfigError } from "./config_error.ts";
import { checkDirFlag } from "./dir_flag.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

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
  await checkDirFlag("data-dir", dataDir);
  if (!await exists(dataDir)) throw new ConfigError(`--data-dir: no such directory: ${dataDir}`);
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
