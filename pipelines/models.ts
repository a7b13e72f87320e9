/**
 * `deno task models [list]`: every model in the registry, versions side by side with their
 * metrics and the promoted one marked. `models promote --name N --version V [--reason R]` and
 * `models rollback --name N` are for a human; promote first runs the check the predictor runs on
 * load, so a version the API would refuse never reaches the promotion stack
 * (src/jobs/models_command.ts).
 */
import { modelsConfig } from "../src/config.ts";
import { modelsCommand } from "../src/jobs/models_command.ts";
import { runTask } from "../src/util/cli.ts";

const [first, ...rest] = Deno.args;
const command = first && !first.startsWith("-") ? first : "list";
const args = first && !first.startsWith("-") ? rest : Deno.args;

await runTask("models", async () => await modelsCommand(command, modelsConfig(args)));
