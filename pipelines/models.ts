/**
 * `deno task models [list]`: every model in the registry, versions side by side with their
 * metrics and the promoted one marked. `models promote --name N --version V [--reason R]` and
 * `models rollback --name N` are for a human; promote first runs the check the predictor runs on
 * load, so a version the API would refuse never reaches the promotion stack.
 */
import { ConfigError, modelsConfig } from "../src/config.ts";
import { checkModel } from "../src/registry/model_check.ts";
import { Registry } from "../src/registry/registry.ts";
import { runTask } from "../src/util/cli.ts";

const [first, ...rest] = Deno.args;
const command = first && !first.startsWith("-") ? first : "list";
const args = first && !first.startsWith("-") ? rest : Deno.args;

await runTask("models", async () => {
  const cfg = modelsConfig(args);
  const registry = new Registry(cfg.modelsDir);
  if (command === "promote") {
    if (!cfg.name || !cfg.version) throw new ConfigError("promote needs --name and --version");
    try {
      await (await checkModel(registry, cfg.name, cfg.version)).session.release();
    } catch (e) {
      throw new Error(`cannot promote ${cfg.name} ${cfg.version}: ${(e as Error).message}`, { cause: e });
    }
    await registry.promote(cfg.name, cfg.version, "promote", cfg.reason);
    console.log(`${cfg.name}: ${cfg.version} promoted`);
    return 0;
  }
  if (command === "rollback") {
    if (!cfg.name) throw new ConfigError("rollback needs --name");
    console.log(`${cfg.name}: rolled back to ${await registry.rollback(cfg.name)}`);
    return 0;
  }
  if (command !== "list") throw new ConfigError(`unknown command '${command}' (list, promote or rollback)`);
  const names = await registry.names();
  if (names.length === 0) console.log(`no models in ${cfg.modelsDir} yet: run deno task train`);
  for (const name of names) {
    const { current } = await registry.promotedFile(name);
    console.log(`${name}`);
    const head = [
      "",
      "version",
      "created",
      "model",
      "rows",
      "MAE",
      "naive MAE",
      "skill",
      "dir. acc.",
      "decision",
    ];
    const rows: string[][] = [head];
    for (const v of await registry.versions(name)) {
      let card;
      try {
        card = await registry.card(name, v);
      } catch {
        rows.push(["", v, "(incomplete)", "", "", "", "", "", "", ""]);
        continue;
      }
      const m = card.overall.model, n = card.overall.naive;
      rows.push([
        v === current ? "*" : "",
        v,
        card.created_at.slice(0, 16),
        card.model.kind === "ridge"
          ? `ridge λ=${card.model.lambda.toPrecision(2)}`
          : `gbdt ${card.model.rounds} trees`,
        String(card.data.rows),
        m.mae.toFixed(4),
        n.mae.toFixed(4),
        `${(m.skill * 100).toFixed(2)}%`,
        m.directional_accuracy === null ? "-" : `${(m.directional_accuracy * 100).toFixed(1)}%`,
        card.decision.promoted ? "promoted" : `rejected: ${card.decision.reason}`,
      ]);
    }
    const widths = head.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) {
      console.log("  " + r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
    }
  }
  return 0;
});
