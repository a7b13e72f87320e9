/**
 * The bus scaling benchmark's stage processes (bench/bus_scaling.ts): `deno task ingest` children
 * whose stderr is kept, stopped with Ctrl-C, and killed if the bench itself is interrupted.
 */
import denoJson from "../deno.json" with { type: "json" };

const ROOT = new URL("../", import.meta.url).pathname;

export interface Proc {
  name: string;
  child: Deno.ChildProcess;
  /** The process's stderr so far (its warnings and errors). */
  log: () => string;
  exited: Promise<Deno.CommandStatus>;
  /** Its exit status once it has exited. */
  status: Deno.CommandStatus | null;
}

/** `deno task ingest` with `args` and the task's own permissions, stderr kept (and drained). */
export function ingest(name: string, args: string[]): Proc {
  const [, ...task] = denoJson.tasks.ingest.split(" ");
  const child = new Deno.Command(Deno.execPath(), {
    args: [...task, ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let text = "";
  const drained = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (s) => void (text += s) }),
  );
  const proc: Proc = { name, child, log: () => text, exited: drained.then(() => child.status), status: null };
  running.add(proc);
  proc.exited.then((s) => {
    proc.status = s;
    running.delete(proc);
  });
  return proc;
}

/** The suite's processes still running: killed if the bench itself is interrupted. */
export const running = new Set<Proc>();

/** Throws when one of `procs` has exited, with the end of its log. */
export function noneExited(procs: Proc[]): void {
  const dead = procs.find((p) => p.status !== null);
  if (dead) {
    throw new Error(`${dead.name} exited early: ${dead.log().trim().split("\n").slice(-3).join(" / ")}`);
  }
}

/** Asks every process to stop (Ctrl-C), and kills one still running after 20 s. */
export async function stopAll(procs: Proc[]): Promise<void> {
  for (const p of procs) {
    try {
      p.child.kill("SIGINT");
    } catch { /* already exited */ }
  }
  await Promise.all(procs.map(async (p) => {
    const timer = setTimeout(() => {
      try {
        p.child.kill("SIGKILL");
      } catch { /* exited meanwhile */ }
    }, 20_000);
    await p.exited;
    clearTimeout(timer);
  }));
}

/** The messages of a process's log lines (JSON or not). */
export function messages(log: string): string[] {
  return log.split("\n").filter((l) => l.trim()).map((l) => {
    try {
      return (JSON.parse(l) as { msg: string }).msg;
    } catch {
      return l;
    }
  });
}
