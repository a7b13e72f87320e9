/** A file written a piece at a time beside its target and renamed over it only when complete. */
import { assert, assertEquals } from "../assert.ts";
import { withTempDir } from "../task_process.ts";
import { PartialFile } from "../../src/stores/partial_file.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("a partial file replaces its target only when committed, and leaves nothing beside it", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/out.csv`, "old\n");
    const file = await PartialFile.open(`${dir}/out.csv`);
    await file.write(bytes("a,b\n"));
    await file.write(bytes("1,2\n"));
    assertEquals(await names(dir), ["out.csv", `out.csv.partial-${Deno.pid}`]);
    assertEquals(await Deno.readTextFile(`${dir}/out.csv`), "old\n");
    await file.commit();
    await file.discard();
    assertEquals(await Deno.readTextFile(`${dir}/out.csv`), "a,b\n1,2\n");
    assertEquals(await names(dir), ["out.csv"]);
  });
});

Deno.test("a discarded partial file is removed and the target is left as it was", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/out.csv`, "old\n");
    const file = await PartialFile.open(`${dir}/out.csv`);
    await file.write(bytes("half a"));
    await file.discard();
    assertEquals(await names(dir), ["out.csv"]);
    assertEquals(await Deno.readTextFile(`${dir}/out.csv`), "old\n");
  });
});

Deno.test("a partial file that cannot be opened or renamed names its target and leaves nothing behind", async () => {
  await withTempDir(async (dir) => {
    const missing = await PartialFile.open(`${dir}/no/out.csv`).catch((e: Error) => e);
    assert(missing instanceof Error && missing.message.startsWith(`cannot write ${dir}/no/out.csv: `));
    await Deno.mkdir(`${dir}/taken`);
    const file = await PartialFile.open(`${dir}/taken`);
    await file.write(bytes("x"));
    const taken = await file.commit().catch((e: Error) => e);
    assert(taken instanceof Error && taken.message.startsWith(`cannot write ${dir}/taken: `), String(taken));
    assertEquals(await names(dir), ["taken"]);
  });
});
