/** Running a task as a user does and reading what it says: for tests of tasks' failures. */

const decoder = new TextDecoder();
const ROOT = new URL("../", import.meta.url).pathname;

/** A finished task's exit code and what it wrote to stderr. */
export async function output(child: Deno.ChildProcess): Promise<{ code: number; stderr: string }> {
  const { code, stderr } = await child.output();
  return { code, stderr: decoder.decode(stderr) };
}

/** The line a task printed, less `deno task`'s own echo of the command. */
export function printed(stderr: string): string[] {
  return stderr.trim().split("\n").filter((l) => !l.startsWith("Task "));
}

/** A loopback port nothing listens on. */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Reads `stream` until `done(text so far)` holds; the text read, or an error after `ms`. */
export async function readUntil(
  stream: ReadableStream<Uint8Array>,
  done: (text: string) => boolean,
  ms: number,
): Promise<string> {
  const reader = stream.getReader();
  let text = "";
  const timer = setTimeout(() => reader.cancel(), ms);
  try {
    while (!done(text)) {
      const { done: ended, value } = await reader.read();
      if (ended) throw new Error(`stream ended before the condition held:\n${text}`);
      text += decoder.decode(value, { stream: true });
    }
    return text;
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}

/** Runs `fn` in a new temporary directory, removed afterwards. */
export async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `deno task serve ARGS` from the project root, as a user types it: the task's own permissions. */
export function serveTask(args: readonly string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["task", "--config", `${ROOT}deno.json`, "serve", ...args],
    cwd: ROOT,
    stderr: "piped",
    stdout: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/**
 * Runs `program ARGS` from the project root until the server it starts says where its dashboard
 * is, then stops it with Ctrl-C; what it logged by then.
 */
export async function logUntilDashboard(program: string, args: readonly string[]): Promise<string> {
  const child = new Deno.Command(program, {
    args: [...args],
    cwd: ROOT,
    stderr: "piped",
    stdout: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  const log = await readUntil(child.stderr, (t) => t.includes("dashboard at"), 30_000);
  child.kill("SIGINT");
  await child.status;
  await child.stderr.cancel();
  return log;
}
