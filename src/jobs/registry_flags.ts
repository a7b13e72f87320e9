/**
 * `--name` and `--version` checked against the registry before a command acts on them: a model or
 * version it does not hold is a bad flag value (exit 2), named with what the registry does hold.
 */
import { ConfigError } from "../config.ts";
import type { Registry } from "../registry/registry.ts";

/** Up to eight of `items`, then how many more. */
function some(items: readonly string[]): string {
  return items.length <= 8
    ? items.join(", ")
    : `${items.slice(0, 8).join(", ")} and ${items.length - 8} more`;
}

/** Throws a `ConfigError` unless the registry holds a model `name`; `label` says where the name came from. */
export async function checkModelName(
  registry: Registry,
  name: string,
  label = `--name ${name}`,
): Promise<void> {
  const names = await registry.names();
  if (names.includes(name)) return;
  throw new ConfigError(
    `${label}: no such model in ${registry.dir} ` +
      (names.length === 0 ? "(it holds none yet: run deno task train)" : `(it holds ${some(names)})`),
  );
}

/** Throws a `ConfigError` unless model `name` has a version `version`. */
export async function checkModelVersion(registry: Registry, name: string, version: string): Promise<void> {
  const versions = await registry.versions(name);
  if (versions.includes(version)) return;
  throw new ConfigError(
    `--version ${version}: model ${name} in ${registry.dir} has no such version ` +
      (versions.length === 0
        ? "(it has none: run deno task train)"
        : versions.length <= 8
        ? `(it has ${versions.join(", ")})`
        : `(it has ${versions[0]} to ${versions.at(-1)}, ${versions.length} in all)`),
  );
}
