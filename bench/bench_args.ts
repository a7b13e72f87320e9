/**
 * The command line of `deno task bench [SUITE...]`: suite names, or `--help`. Its mistakes exit 2
 * with one line in the words the tasks' flag parser uses, and `--help` exits 0 as every task's does.
 */
import { ConfigError } from "../src/config.ts";

/**
 * The suites `args` choose (every one of `names` when none is named), or `"help"`.
 *
 * @example
 * ```ts
 * benchArgs(["serve"], ["lines", "serve"]); // ["serve"]
 * benchArgs(["-h"], ["lines", "serve"]); // "help"
 * ```
 */
export function benchArgs(args: readonly string[], names: readonly string[]): string[] | "help" {
  if (args.includes("--help") || args.includes("-h")) return "help";
  for (const arg of args) {
    if (arg.startsWith("-")) throw new ConfigError(`unknown flag ${arg} (see --help)`);
    if (!names.includes(arg)) throw new ConfigError(`unknown suite '${arg}' (${names.join(", ")})`);
  }
  return args.length === 0 ? [...names] : names.filter((name) => args.includes(name));
}

/** The help of `deno task bench`. */
export function benchUsage(names: readonly string[]): string {
  return [
    "usage: deno task bench [SUITE...]",
    `  SUITE              run only these (default: every one): ${names.join(", ")}`,
    `  --${"help".padEnd(16)} show this help`,
  ].join("\n");
}
