/**
 * `deno task serve` may connect only to the loopback and the listening address (deno.json), which
 * covers a broker on this machine (`--brokers 127.0.0.1:9092`, the default) and no other. The task
 * keeps that narrow permission rather than opening the whole network to a process whose job is to
 * answer HTTP: a user pointing `--bus kafka` at brokers elsewhere gets, before anything connects,
 * one line naming them and the `deno run` command that allows exactly those hosts. Without this
 * check the background reads would fail on a permission (or stop the server on an interactive
 * prompt) and `/metrics` would only say `bus_up 0`.
 */
import { shellWord, TASK_HOSTS } from "./dir_permissions.ts";

export interface ServeNet {
  brokers: readonly string[];
  host: string;
  dataDir: string;
  modelsDir: string;
}

/**
 * One line naming the brokers this process may not connect to and the command that may, or
 * undefined when it may reach them all.
 *
 * @example
 * ```ts
 * const problem = brokersOutsidePermissions(cfg, Deno.args);
 * if (problem) throw new ConfigError(problem);
 * ```
 */
export function brokersOutsidePermissions(net: ServeNet, args: readonly string[]): string | undefined {
  const denied = net.brokers.filter((host) =>
    Deno.permissions.querySync({ name: "net", host }).state !== "granted"
  );
  if (denied.length === 0) return undefined;
  const hosts = [...new Set([...TASK_HOSTS, net.host, ...denied])];
  const command = [
    "deno",
    "run",
    `--allow-net=${hosts.join(",")}`,
    `--allow-read=${net.dataDir},${net.modelsDir}`,
    `--allow-write=${net.dataDir}`,
    "--allow-env",
    "pipelines/serve.ts",
    ...args,
  ].map(shellWord).join(" ");
  return `--brokers ${denied.join(",")} ${denied.length > 1 ? "are" : "is"} outside what ` +
    `\`deno task serve\` may connect to; run: ${command}`;
}
