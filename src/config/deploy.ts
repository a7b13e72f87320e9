/**
 * The Deno Deploy entry's settings. Deploy passes no command line, so they come from environment
 * variables, each checked as the `serve` flag of the same meaning is, with an error naming the
 * variable. Declared here rather than taken from `SERVE_FLAGS`: the shared flags import the
 * sources' defaults, whose modules Deploy's graph must not hold.
 */
import type { Window } from "../domain/candle.ts";
import { ConfigError } from "./config_error.ts";
import { type Flag, flag } from "./flag.ts";
import type { Env } from "./parse_flags.ts";

export interface DeployConfig {
  pairs: string[];
  window: Window;
  horizon: number;
  /** Unset: three windows, as `serve`; 0: never stale. */
  maxFeatureAgeS: number | undefined;
  corsOrigins: string[] | undefined;
  modelsDir: string;
  port: number;
  /** A KV Connect URL or a local KV file; unset, the app's own KV. */
  onlineKv: string | undefined;
}

const VARS = {
  pairs: flag.pairs("pairs", { env: "PAIRS", default: "BTC/USD,ETH/USD", help: "pairs served" }),
  window: flag.window("window", { env: "WINDOW", default: "1m", help: "the window" }),
  horizon: flag.number("horizon", {
    env: "HORIZON",
    min: 1,
    integer: true,
    default: "1",
    help: "candles ahead",
  }),
  maxFeatureAgeS: flag.number("max-feature-age", { env: "MAX_FEATURE_AGE", min: 0, help: "stale after" }),
  corsOrigins: flag.list("cors", { env: "CORS_ORIGINS", help: "allowed CORS origins" }),
  modelsDir: flag.string("models-dir", { env: "MODELS_DIR", default: "./models", help: "the registry" }),
  port: flag.port("port", { env: "PORT", default: "8000", help: "HTTP port" }),
};

/** One variable through its flag's check; the flag's error, in the variable's name. */
function read<T>(env: Env, f: Flag<T>): T {
  const name = f.env as string;
  try {
    return f.parse(env(name) || f.default);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(`${name}${e.message.slice(`--${f.name}`.length)}`, { cause: e });
  }
}

/**
 * The entry's settings from `env`; a bad value throws a {@linkcode ConfigError} naming its variable.
 *
 * @example
 * ```ts
 * deployConfig((name) => ({ PAIRS: "BTC/USD", MAX_FEATURE_AGE: "0" })[name]).maxFeatureAgeS; // 0
 * ```
 */
export function deployConfig(env: Env): DeployConfig {
  const cors = read(env, VARS.corsOrigins);
  return {
    pairs: read(env, VARS.pairs),
    window: read(env, VARS.window),
    horizon: read(env, VARS.horizon),
    maxFeatureAgeS: read(env, VARS.maxFeatureAgeS),
    corsOrigins: cors?.length ? cors : undefined,
    modelsDir: read(env, VARS.modelsDir),
    port: read(env, VARS.port),
    onlineKv: env("ONLINE_KV") || env("DENO_KV_PATH") || undefined,
  };
}
