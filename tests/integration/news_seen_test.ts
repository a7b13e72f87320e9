/** Which news ids `news` saves as seen: only those of headlines already written to the stores. */
import { assertEquals } from "../assert.ts";
import { withTempDir } from "../task_process.ts";
import { SeenIds } from "../../src/stores/seen_ids.ts";

Deno.test("seen ids opened until-written are saved only once written, so a crash repeats them", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/seen.json`;
    const seen = await SeenIds.open(path, undefined, { untilWritten: true });
    // A poll's posts are all marked as they are handed on; only the first batch is written so far.
    for (const id of ["1", "2", "3", "4"]) seen.add(id);
    seen.written(["1", "2"]);
    await seen.save();
    const afterCrash = await SeenIds.open(path);
    assertEquals(["1", "2", "3", "4"].map((id) => afterCrash.has(id)), [true, true, false, false]);
    // In memory they stay seen, so the next poll does not hand them on twice.
    assertEquals(seen.has("3"), true);
    seen.written(["3", "4"]);
    await seen.save();
    assertEquals((await SeenIds.open(path)).size, 4);
  });
});
