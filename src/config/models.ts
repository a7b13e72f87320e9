/** `deno task models [list|promote|rollback]`: the model registry. */
import { ConfigError } from "./config_error.ts";
import { flag } from "./flag.ts";
import { denoEnv, type Env, type Parsed, parseFlags } from "./parse_flags.ts";
import { COMMON } from "./shared.ts";

export const MODELS_COMMANDS =
  "commands: list (default), promote --name N --version V, rollback --name N [--version V]";

export const MODELS_FLAGS = {
  ...COMMON,
  name: flag.string("name", {
    help: "model name (promote, rollback; list: only that model), e.g. btc-usd_1m_h1",
  }),
  version: flag.custom(
    "version",
    { help: "version to promote (rollback: to roll back to), e.g. v0003" },
    (raw) => {
      if (!/^v\d+$/.test(raw)) throw new RangeError(`'${raw}' is not a version such as v0003`);
      return raw;
    },
  ),
  // No default here: a --reason given to another command than promote is refused, not ignored.
  reason: flag.string("reason", { help: "why (promote; default: promoted by hand)" }),
};

export const MODELS_SUBCOMMANDS = ["list", "promote", "rollback"] as const;
export type ModelsSubcommand = typeof MODELS_SUBCOMMANDS[number];

export interface ModelsConfig extends Parsed<typeof MODELS_FLAGS> {
  command: ModelsSubcommand;
  reason: string;
}

/** The command `args` start with (`list` when they start with a flag) and its flags. */
export function modelsConfig(args: readonly string[], env: Env = denoEnv): ModelsConfig {
  const named = args[0] !== undefined && !args[0].startsWith("-");
  const command = named ? args[0]! : "list";
  if (!(MODELS_SUBCOMMANDS as readonly string[]).includes(command)) {
    throw new ConfigError(`unknown command '${command}' (list, promote or rollback)`);
  }
  const c = parseFlags(MODELS_FLAGS, named ? args.slice(1) : args, env);
  // A flag the command does not read would otherwise look as if it had been obeyed.
  if (command === "list" && c.version !== undefined) {
    throw new ConfigError("--version is for promote and rollback; list shows every version");
  }
  if (command !== "promote" && c.reason !== undefined) throw new ConfigError(`--reason is for promote`);
  return { ...c, command: command as ModelsSubcommand, reason: c.reason ?? "promoted by hand" };
}
