/** `--help` as a user asks for it: answered by the task runner from the flag declarations, exit 0. */
import { assertEquals } from "../assert.ts";
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
