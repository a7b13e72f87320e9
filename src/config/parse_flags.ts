/**
 * Parses a task's arguments against its flag declarations: the command line, else the flag's
 * environment variable, else its default, each through the flag's own check. A bad flag or value
 * throws a {@linkcode ConfigError} naming it.
 */
import { parseArgs } from "node:util";
import { ConfigError } from "./config_error.ts";
import type { Flag } from "./flag.ts";

/** Reads an environment variable; injected so tests need no real environment. */
export type Env = (name: string) => string | undefined;

export const denoEnv: Env = (name: string): string | undefined => Deno.env.get(name);

/** A task's flags, keyed by the name its value has in the task's config. */
export type Flags = Record<string, Flag<unknown>>;

/** The config a set of flags parses to: each key holds its flag's value type. */
export type Parsed<F extends Flags> = { -readonly [K in keyof F]: F[K] extends Flag<infer T> ? T : never };

const NEGATIVE_NUMBER = /^-\.?\d/;

/**
 * `--grace -5` as `--grace=-5`: parseArgs takes a value starting with `-` for a flag, and calls
 * it ambiguous, so the flag's own check would never get to say what is wrong with it.
 */
function joinNegativeValues(flags: ReadonlyMap<string, Flag<unknown>>, args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    const name = /^--([^=]+)$/.exec(arg)?.[1];
    if (
      name !== undefined && flags.get(name)?.kind === "string" && next !== undefined &&
      NEGATIVE_NUMBER.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else if (NEGATIVE_NUMBER.test(arg)) {
      throw new ConfigError(`unexpected argument '${arg}' (flags look like --name value)`);
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** parseArgs' own messages, as one line in the words of the other flag errors. */
function argsError(e: Error): ConfigError {
  const unknown = /Unknown option '([^']+)'/.exec(e.message);
  if (unknown) return new ConfigError(`unknown flag ${unknown[1]} (see --help)`, { cause: e });
  const stray = /Unexpected argument '([^']+)'/.exec(e.message);
  if (stray) {
    return new ConfigError(`unexpected argument '${stray[1]}' (flags look like --name value)`, { cause: e });
  }
  const valued = /Option '(--[\w-]+)' does not take an argument/.exec(e.message);
  if (valued) return new ConfigError(`${valued[1]} takes no value`, { cause: e });
  const missing = /Option '(--[\w-]+) <value>' argument missing/.exec(e.message);
  if (missing) return new ConfigError(`${missing[1]} needs a value`, { cause: e });
  // A flag followed by another flag (`--speed --port 8000`): parseArgs calls its value ambiguous.
  const ambiguous = /Option '(--[\w-]+)' argument is ambiguous/.exec(e.message);
  if (ambiguous) {
    const name = ambiguous[1];
    return new ConfigError(`${name} needs a value (one starting with '-' is written ${name}=VALUE)`, {
      cause: e,
    });
  }
  return new ConfigError(e.message.split("\n")[0] ?? "bad arguments", { cause: e });
}

/** The one value of a flag, or an error naming the flag given more than once. */
function once(name: string, given: string[] | boolean | undefined): string | boolean | undefined {
  if (!Array.isArray(given)) return given;
  if (given.length > 1) {
    const times = given.length === 2 ? "twice" : `${given.length} times`;
    throw new ConfigError(`--${name} is given ${times} (${given.join(" and ")}): give it once`);
  }
  return given[0];
}

/**
 * The value of `f` from its environment variable; a bad one is named as the variable it came from,
 * since the command line holds no `--name` to look for.
 */
function fromEnvironment(f: Flag<unknown>, raw: string): unknown {
  try {
    return f.parse(raw);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(`env ${f.env} (--${f.name})${e.message.slice(`--${f.name}`.length)}`, { cause: e });
  }
}

/**
 * The names of the flags `args` give (`--name value` or `--name=value`), for checks that care
 * whether a flag was typed rather than defaulted.
 *
 * @example
 * ```ts
 * givenFlags(["--pairs", "BTC/USD", "--from=1000"]); // ["pairs", "from"]
 * ```
 */
export function givenFlags(args: readonly string[]): string[] {
  return args.flatMap((a) => /^--([^=]+)/.exec(a)?.[1] ?? []);
}

/** Every flag by its name; two declarations of one name would make one of them unreachable. */
export function flagsByName(flags: Flags): Map<string, Flag<unknown>> {
  const byName = new Map<string, Flag<unknown>>();
  for (const f of Object.values(flags)) {
    if (byName.has(f.name)) throw new TypeError(`--${f.name} is declared twice`);
    byName.set(f.name, f);
  }
  return byName;
}

/**
 * The values of `flags` in `args`, falling back to each flag's environment variable, then its default.
 *
 * @example
 * ```ts
 * const cfg = parseFlags({ dataDir: DATA_DIR }, Deno.args, denoEnv); // { dataDir: string }
 * ```
 */
export function parseFlags<F extends Flags>(flags: F, args: readonly string[], env: Env): Parsed<F> {
  const byName = flagsByName(flags);
  // A value flag may come several times so that a repeat is seen: the last would win unannounced.
  const options = Object.fromEntries(
    [...byName].map(([name, f]) => [name, { type: f.kind, multiple: f.kind === "string" }]),
  );
  let values: Record<string, string[] | boolean | undefined>;
  try {
    values = parseArgs({
      args: joinNegativeValues(byName, args),
      options,
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string[] | boolean | undefined>;
  } catch (e) {
    throw argsError(e as Error);
  }
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(flags)) {
    const given = once(f.name, values[f.name]);
    const fromEnv = f.env === undefined ? undefined : env(f.env) || undefined;
    out[key] = given === undefined && fromEnv !== undefined
      ? fromEnvironment(f, fromEnv)
      : f.parse(given ?? f.default);
  }
  return out as Parsed<F>;
}
