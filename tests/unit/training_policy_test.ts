import { assertEquals } from "../assert.ts";
import { FIRST_MODEL_TRAINING, firstModelDecision } from "../../src/system/training_policy.ts";

Deno.test("a series is first trained once its history holds the minimum rows", () => {
  assertEquals(firstModelDecision("BTC/USD", 199, 200, undefined), {
    train: false,
    why: "BTC/USD has 199 of 200 candles for its first model",
  });
  assertEquals(firstModelDecision("BTC/USD", 200, 200, undefined), { train: true });
});

Deno.test("a series that got no model is trained again once its history has grown by half", () => {
  assertEquals(firstModelDecision("ETH/USD", 299, 200, 200), {
    train: false,
    why: 'no ETH/USD model beat "no change" yet (retrying at 300 candles)',
  });
  assertEquals(firstModelDecision("ETH/USD", 300, 200, 200), { train: true });
});

Deno.test("a series whose training failed says so and why, not that its model lost to naive", () => {
  const why = "fold 1 would train on 25 rows (fewer than 50): use fewer folds or more data";
  assertEquals(firstModelDecision("ETH/USD", 200, 120, 183, why), {
    train: false,
    why: `ETH/USD's training failed on 183 candles: ${why} (retrying at 275 candles)`,
  });
  assertEquals(firstModelDecision("ETH/USD", 275, 120, 183, why), { train: true });
});

Deno.test("the retry threshold rounds up to whole candles", () => {
  assertEquals(firstModelDecision("ETH/USD", 376, 200, 251), {
    train: false,
    why: 'no ETH/USD model beat "no change" yet (retrying at 377 candles)',
  });
  assertEquals(firstModelDecision("ETH/USD", 377, 200, 251), { train: true });
});

Deno.test("first models train as `train --model auto` does with five folds and seed 1", () => {
  assertEquals(FIRST_MODEL_TRAINING, { choice: "auto", folds: 5, seed: 1 });
});
