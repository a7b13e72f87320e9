import { assert, assertEquals } from "../assert.ts";
import { stageCheckpoints } from "../../src/bus/stage_checkpoints.ts";

Deno.test("a consumer stage's checkpoint is saved and loaded back with its offset and state", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const checkpoints = stageCheckpoints<{ n: number }>(dir, "g", "trades");
    await checkpoints.save(0, { offset: 41n, state: { n: 7 } });
    assertEquals(await checkpoints.load(0), { offset: 41n, state: { n: 7 } });
    assertEquals(await checkpoints.load(1), null);
    assertEquals([...Deno.readDirSync(`${dir}/checkpoints`)].map((e) => e.name), ["bus_g_trades_0.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unreadable consumer stage checkpoint fails with its cause kept", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/checkpoints`);
    await Deno.writeTextFile(`${dir}/checkpoints/bus_g_trades_0.json`, "{not json");
    const error = await stageCheckpoints(dir, "g", "trades").load(0).catch((e) => e);
    assert(error instanceof Error && /unreadable.*delete it to rebuild/.test(error.message));
    assert(error.cause instanceof SyntaxError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
