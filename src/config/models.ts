/** `deno task models [list|promote|rollback]`: the model registry. */
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
  reason: flag.string("reason", { default: "promoted by hand", help: "why (promote)" }),
};

export type ModelsConfig = Parsed<typeof MODELS_FLAGS>;

export function modelsConfig(args: readonly string[], env: Env = denoEnv): ModelsConfig {
  return parseFlags(MODELS_FLAGS, args, env);
}
