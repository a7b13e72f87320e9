/**
 * A bad flag, flag value or environment variable. Its message is the one line a task prints before
 * exiting with status 2 (see `runTask` in src/util/cli.ts).
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}
