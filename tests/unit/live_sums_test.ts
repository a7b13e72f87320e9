import { assertEquals } from "../assert.ts";
import { addRealised, liveErrorsOf, type Prediction } from "../../src/domain/prediction.ts";

const p = (bands: boolean): Prediction => ({
  pair: "BTC/USD",
  window: "1m",
  made_at: 0,
  horizon: 1,
  horizon_s: 60,
  current_close: 100,
  predicted_close: 101,
  model: { name: "m", version: "v0001" },
  realised_close: null,
  ...(bands
    ? { interval_80: [99, 103] as [number, number], interval_95: [97, 105] as [number, number] }
    : {}),
});

Deno.test("live sums count interval coverage only over predictions that had intervals", () => {
  let s = addRealised(null, p(true), 102); // inside both
  s = addRealised(s, p(true), 104); // inside the 95% only
  s = addRealised(s, p(false), 110); // no intervals: MAE only
  s = addRealised(s, p(true), 96); // outside both
  assertEquals(liveErrorsOf(s), {
    n: 4,
    mae_model: (1 + 3 + 9 + 5) / 4,
    mae_naive: (2 + 4 + 10 + 4) / 4,
    coverage_80: 1 / 3,
    coverage_95: 2 / 3,
  });
});

Deno.test("a series with nothing realised, or no intervals, has no coverage", () => {
  assertEquals(liveErrorsOf(null), {
    n: 0,
    mae_model: null,
    mae_naive: null,
    coverage_80: null,
    coverage_95: null,
  });
  assertEquals(liveErrorsOf(addRealised(null, p(false), 100)).coverage_80, null);
  // Sums stored before intervals existed read as none.
  assertEquals(liveErrorsOf({ n: 2, model: 2, naive: 4 }), {
    n: 2,
    mae_model: 1,
    mae_naive: 2,
    coverage_80: null,
    coverage_95: null,
  });
});
