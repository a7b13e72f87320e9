/**
 * `models list|promote|rollback` over the registry of `--models-dir`. Promote and rollback first run
 * the check the predictor runs on load, so neither puts a version the API would refuse in service.
 */
import { ConfigError, type ModelsConfig } from "../config.ts";
import { checkModel } from "../registry/model_check.ts";
import { Registry } from "../registry/registry.ts";
import { type VersionLine, versionsTable } from "./models_table.ts";
import { checkModelName, checkModelVersion } from "./registry_flags.ts";

/** Runs `command`, printing to stdout; resolves with the exit status. */
export async function modelsCommand(command: string, cfg: ModelsConfig): Promise<number> {
  const registry = new Registry(cfg.modelsDir);
  if (command === "promote") return await promote(registry, cfg);
  if (command === "rollback") return await rollback(registry, cfg);
  if (command !== "list") throw new ConfigError(`unknown command '${command}' (list, promote or rollback)`);
  if (cfg.name) await checkModelName(registry, cfg.name);
  await list(registry, cfg.modelsDir, cfg.name);
  return 0;
}

async function promote(registry: Registry, cfg: ModelsConfig): Promise<number> {
  if (!cfg.name || !cfg.version) throw new ConfigError("promote needs --name and --version");
  await checkModelName(registry, cfg.name);
  await checkModelVersion(registry, cfg.name, cfg.version);
  try {
    await (await checkModel(registry, cfg.name, cfg.version)).session.release();
  } catch (e) {
    throw new Error(`cannot promote ${cfg.name} ${cfg.version}: ${(e as Error).message}`, { cause: e });
  }
  const changed = await registry.promote(cfg.name, cfg.version, "promote", cfg.reason);
  console.log(
    changed
      ? `${cfg.name}: ${cfg.version} promoted`
      : `${cfg.name}: ${cfg.version} is already the promoted version; nothing changed`,
  );
  return 0;
}

/**
 * Back down the promotion stack to the newest version that can serve: a drill's forced version
 * is passed over (it was promoted to be bad), and so is one that fails the predictor's check now
 * (its file damaged since), each named. `--version` picks one on the stack below the current.
 */
async function rollback(registry: Registry, cfg: ModelsConfig): Promise<number> {
  const name = cfg.name;
  if (!name) throw new ConfigError("rollback needs --name");
  await checkModelName(registry, name);
  if (cfg.version) await checkModelVersion(registry, name, cfg.version);
  const { current, stack } = await registry.promotedFile(name);
  if (!current) throw new Error(`model ${name} has no promoted version to roll back`);
  const below = stack.slice(0, -1).reverse();
  // A named version is checked first, so an empty stack below still answers with the way to serve it.
  if (cfg.version && !below.includes(cfg.version)) {
    throw new ConfigError(
      `--version ${cfg.version} is not on ${name}'s promotion stack below ${current} (${
        below.join(", ") || "nothing is"
      }): ` +
        `models promote --name ${name} --version ${cfg.version} puts any version in service`,
    );
  }
  if (below.length === 0) throw new Error(`model ${name} has no version promoted before ${current}`);
  const passed: string[] = [];
  for (const version of cfg.version ? [cfg.version] : below) {
    const why = await cannotServe(registry, name, version, cfg.version === version);
    if (why === null) {
      await registry.rollback(name, version);
      for (const line of passed) console.log(`${name}: passed over ${line}`);
      console.log(`${name}: rolled back to ${version}`);
      return 0;
    }
    passed.push(`${version} (${why})`);
  }
  throw new Error(
    `model ${name} has no version promoted before ${current} that can serve: ${passed.join(", ")}; ` +
      `models promote --name ${name} --version V puts any version in service`,
  );
}

/** Why `version` should not serve again, or null; a forced version the user named is theirs to choose. */
async function cannotServe(
  registry: Registry,
  name: string,
  version: string,
  named: boolean,
): Promise<string | null> {
  try {
    const checked = await checkModel(registry, name, version);
    await checked.session.release();
    return checked.card.decision.forced && !named ? "forced by a drill" : null;
  } catch (e) {
    return (e as Error).message;
  }
}

async function list(registry: Registry, modelsDir: string, only?: string): Promise<void> {
  const names = only ? [only] : await registry.names();
  if (names.length === 0) console.log(`no models in ${modelsDir} yet: run deno task train`);
  for (const name of names) {
    const { current, stack, history } = await registry.promotedFile(name);
    console.log(`${name}`);
    const versions: VersionLine[] = [];
    for (const version of await registry.versions(name)) {
      // A version whose card cannot be read is listed as incomplete rather than failing the list.
      const card = await registry.card(name, version).catch(() => undefined);
      const backtest = await registry.backtest(name, version).catch(() => null);
      const live = await registry.liveDecision(name, version).catch(() => null);
      const rolledBack = !stack.includes(version) &&
        history.some((h) => h.version === version && h.by !== "rollback");
      versions.push({ version, current: version === current, card, backtest, live, rolledBack });
    }
    for (const line of versionsTable(versions)) console.log(line);
  }
}
