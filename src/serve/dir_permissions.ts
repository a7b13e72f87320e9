/**
 * `deno task serve` may read only `data` and `models` and write only `data` (deno.json), so a
 * `--data-dir` or `--models-dir` elsewhere would fail on its first file asking for a permission
 * flag that a task's user cannot add. This finds that before any file is touched and words it as
 * the command that does run.
 */

export interface ServeDirs {
  dataDir: string;
  modelsDir: string;
  host: string;
}

/** The task's own network permission, plus `--host` when it is another address. */
export const TASK_HOSTS = ["0.0.0.0", "127.0.0.1", "localhost"];

/**
 * One line naming the directories this process may not use and the `deno run` command that may,
 * or undefined when it may use them.
 *
 * @example
 * ```ts
 * const problem = dirsOutsidePermissions(cfg, Deno.args);
 * if (problem) throw new ConfigError(problem);
 * ```
 */
export function dirsOutsidePermissions(dirs: ServeDirs, args: readonly string[]): string | undefined {
  const denied = (name: "read" | "write", path: string) =>
    Deno.permissions.querySync({ name, path }).state !== "granted";
  const outside = [
    ...(denied("read", dirs.dataDir) || denied("write", dirs.dataDir) ? [`--data-dir ${dirs.dataDir}`] : []),
    ...(denied("read", dirs.modelsDir) ? [`--models-dir ${dirs.modelsDir}`] : []),
  ];
  if (outside.length === 0) return undefined;
  return `${outside.join(" and ")} ${outside.length > 1 ? "are" : "is"} outside what ` +
    `\`deno task serve\` may read and write; run: ${serveCommand(dirs, args)}`;
}

/**
 * One line naming a `--host` this process may not listen on and the command that may, or
 * undefined when it may: found at the listen, it was a permission error naming no flag, after the
 * stores had been opened.
 */
export function hostOutsidePermissions(dirs: ServeDirs, args: readonly string[]): string | undefined {
  if (Deno.permissions.querySync({ name: "net", host: netHost(dirs.host) }).state === "granted") {
    return undefined;
  }
  return `--host ${dirs.host} is outside what \`deno task serve\` may listen on; run: ${
    serveCommand(dirs, args)
  }`;
}

/** A host as Deno's net permission writes it: an IPv6 address in brackets. */
function netHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** The `deno run` command of serve with `args`, allowed its directories and its host. */
function serveCommand(dirs: ServeDirs, args: readonly string[]): string {
  const host = netHost(dirs.host);
  const hosts = TASK_HOSTS.includes(host) ? TASK_HOSTS : [...TASK_HOSTS, host];
  return [
    "deno",
    "run",
    `--allow-net=${hosts.join(",")}`,
    `--allow-read=${dirs.dataDir},${dirs.modelsDir}`,
    `--allow-write=${dirs.dataDir}`,
    "--allow-env",
    "pipelines/serve.ts",
    ...args,
  ].map(shellWord).join(" ");
}

/** `word` as a shell reads it back: bare when it can be, else single-quoted. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
