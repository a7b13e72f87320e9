/**
 * What every task's entry point shares: config errors become one line and exit 2, other failures
 * one line and exit 1, and Ctrl-C (SIGINT) or SIGTERM aborts the task's signal so it can finish
 * its current write and save its checkpoint; a later Ctrl-C exits at once.
 *
 * In a terminal, Ctrl-C signals the whole process group and `deno task` forwards one more SIGINT to
 * its child, so one key press arrives as two signals a few milliseconds apart. A repeat within
 * {@linkcode REPEAT_SIGNAL_MS} of the first is therefore the same request; only a later one forces the exit.
 */
import { ConfigError, usage } from "../config.ts";

/** How long after the first interrupt a second one still counts as the same request. */
export const REPEAT_SIGNAL_MS = 1000;

/** What an interrupt signal asks for, given when the first one (if any) arrived. */
export function interruptAction(firstAt: number | undefined, now: number): "stop" | "same" | "exit" {
  if (firstAt === undefined) return "stop";
  return now - firstAt < REPEAT_SIGNAL_MS ? "same" : "exit";
}

export interface TaskContext {
  signal: AbortSignal;
}

/**
 * Runs `main`; its resolved number (default 0) is the exit code. `--help` or `-h` prints the
 * task's help (for a task with subcommands, the one named first) instead; `helpFlag: false` leaves
 * it to a harness that parses its own flags.
 */
export async function runTask(
  task: string,
  main: (ctx: TaskContext) => Promise<number | void>,
  { helpFlag = true } = {},
): Promise<never> {
  if (helpFlag && (Deno.args.includes("--help") || Deno.args.includes("-h"))) {
    console.log(usage(task, Deno.args));
    Deno.exit(0);
  }
  const controller = new AbortController();
  let firstAt: number | undefined;
  const stop = () => {
    const now = performance.now();
    switch (interruptAction(firstAt, now)) {
      case "stop":
        firstAt = now;
        controller.abort(new DOMException("interrupted", "AbortError"));
        return;
      case "same":
        return;
      case "exit":
        console.error("error: interrupted again; exiting without a clean stop");
        Deno.exit(130);
    }
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
