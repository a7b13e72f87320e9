/**
 * What every task's entry point shares: config errors become one line and exit 2, other failures
 * one line and exit 1, and Ctrl-C (SIGINT) or SIGTERM aborts the task's signal so it can finish
 * its current write and save its checkpoint; a second Ctrl-C exits at once.
 */
import { ConfigError, usage } from "../config.ts";

export interface TaskContext {
  signal: AbortSignal;
}

/**
 * Runs `main`; its resolved number (default 0) is the exit code. `helpFlag: false` leaves
 * `--help` to a task with subcommands.
 */
export async function runTask(
  task: string,
  main: (ctx: TaskContext) => Promise<number | void>,
  { helpFlag = true } = {},
): Promise<never> {
  if (helpFlag && (Deno.args.includes("--help") || Deno.args.includes("-h"))) {
    console.log(usage(task));
    Deno.exit(0);
  }
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) Deno.exit(130);
    controller.abort(new DOMException("interrupted", "AbortError"));
  };
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
  try {
    const code = await main({ signal: controller.signal });
    Deno.exit(code ?? 0);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`error: ${e.message}`);
      Deno.exit(2);
    }
    console.error(`error: ${(e as Error).message ?? e}`);
    if (Deno.env.get("LOG_LEVEL") === "debug") console.error(e);
    Deno.exit(1);
  }
}
