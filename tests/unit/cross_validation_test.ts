import { assertEquals } from "../assert.ts";
import { settingsGrid, unitHash } from "../../src/news_model/cross_validation.ts";

Deno.test("distillation searches every setting the caller left open and keeps the ones given", () => {
  assertEquals(settingsGrid({}).length, 4 * 2 * 4);
  assertEquals(settingsGrid({ l2: 0.01, balanced: true }).map((s) => s.lexicon_weight), [0, 1, 2, 4]);
  assertEquals(settingsGrid({ l2: 0.01, balanced: false, lexiconWeight: 2 }), [
    { l2: 0.01, balanced: false, lexicon_weight: 2 },
  ]);
});

Deno.test("a headline hashes to the same fold whatever its case and spacing", () => {
  const h = unitHash("Bitcoin  rallies", "fold");
  assertEquals(unitHash("bitcoin rallies", "fold"), h);
  assertEquals(h >= 0 && h < 1, true);
});
