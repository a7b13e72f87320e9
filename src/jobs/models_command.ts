/**
 * `models list|promote|rollback` over the registry of `--models-dir`. Promote first runs the check
 * the predictor runs on load, so a version the API would refuse never reaches the promotion stack.
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
  if (command === "rollback") {
    if (!cfg.name) throw new ConfigError("rollback needs --name");
    await checkModelName(registry, cfg.name);
    console.log(`${cfg.name}: rolled back to ${await registry.rollback(cfg.name)}`);
    return 0;
  }
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
