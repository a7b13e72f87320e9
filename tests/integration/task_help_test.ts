/** `--help` as a user asks for it: answered by the task runner from the flag declarations, exit 0. */
import { assert, assertEquals } from "../assert.ts";
import { runPipeline } from "../helpers.ts";
import { usage } from "../../src/config.ts";

async function help(script: string, args: string[]): Promise<{ code: number; stdout: string }> {
  const dir = await Deno.makeTempDir();
  try {
    const { code, stdout } = await runPipeline(script, args, dir).output();
    return { code, stdout: new TextDecoder().decode(stdout).trimEnd() };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("--help prints the task's help and exits 0, even beside a bad flag", async () => {
  assertEquals(await help("train", ["--help"]), { code: 0, stdout: usage("train") });
  assertEquals(await help("serve", ["--port", "-1", "-h"]), { code: 0, stdout: usage("serve") });
});

Deno.test("--help after a subcommand prints that subcommand's help", async () => {
  assertEquals(await help("features", ["export", "--help"]), { code: 0, stdout: usage("features export") });
  assertEquals(await help("models", ["promote", "--help"]), { code: 0, stdout: usage("models") });
  assertEquals(await help("bus", ["status", "--help"]), { code: 0, stdout: usage("bus status") });
});

/** `deno task bench ARGS`, as deno.json runs it, without running a suite. */
async function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = new URL("../../", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "--config", `${root}deno.json`, "bench", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b).trimEnd();
  return { code, stdout: text(stdout), stderr: text(stderr) };
}

Deno.test("bench --help lists the suites and exits 0; a flag or suite it lacks exits 2 in one line", async () => {
  const help = await bench(["--help"]);
  assertEquals(help.code, 0, help.stderr);
  assertEquals(help.stdout.split("\n")[0], "usage: deno task bench [SUITE...]");
  assert(help.stdout.includes("lines, bus"), help.stdout);
  assertEquals(await bench(["--json"]), {
    code: 2,
    stdout: "",
    stderr: "error: unknown flag --json (see --help)",
  });
  const suite = await bench(["nope"]);
  assertEquals([suite.code, suite.stderr.split("\n").length], [2, 1], suite.stderr);
  assert(suite.stderr.startsWith("error: unknown suite 'nope' (ws_frames, "), suite.stderr);
});

Deno.test("every task's --help, run as deno.json runs it, prints its help and exits 0 without touching a store", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const dir = await Deno.makeTempDir();
  try {
    const tasks: [string[], string][] = [
      ["start", "start"],
      ["demo", "demo"],
      ["ingest", "ingest"],
      ["backfill", "backfill"],
      ["sim", "sim"],
      ["features export", "features export"],
      ["news", "news"],
      ["news export", "news export"],
      ["news:label", "news:label"],
      ["news:distill", "news:distill"],
      ["news:eval", "news:eval"],
      ["train", "train"],
      ["backtest", "backtest"],
      ["models", "models"],
      ["serve", "serve"],
      ["bus status", "bus status"],
      ["soak", "soak"],
    ].map(([args, task]) => [args!.split(" "), task!]);
    for (const [args, task] of tasks) {
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["task", "-q", "--config", `${root}deno.json`, ...args, "--help", "--data-dir", dir],
        cwd: root,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1", CRYPTOPANIC_TOKEN: "" },
      }).output();
      const err = new TextDecoder().decode(stderr);
      assertEquals(code, 0, `${task}: ${err}`);
      assertEquals(new TextDecoder().decode(stdout).trimEnd(), usage(task), task);
    }
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
