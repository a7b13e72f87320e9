/**
 * `deno task models [list]`: every model in the registry, versions side by side with their
 * metrics and the promoted one marked. `models promote --name N --version V [--reason R]` and
 * `models rollback --name N [--version V]` are for a human; both first run the check the predictor
 * runs on load, so neither puts a version the API would refuse in service
 * (src/jobs/models_command.ts).
 */
import { checkDirFlag, modelsConfig } from "../src/config.ts";
import { modelsCommand } from "../src/jobs/models_command.ts";
import { runTask } from "../src/util/cli.ts";

await runTask("models", async () => {
  const cfg = modelsConfig(Deno.args);
  await checkDirFlag("models-dir", cfg.modelsDir);
  return await modelsCommand(cfg.command, cfg);
});
