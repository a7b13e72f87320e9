/**
 * Prediction intervals from training to serving: a trained model's card carries its conformal
 * quantiles, each live prediction carries the 80% and 95% intervals of its close, and the store
 * counts how many realised closes fell inside them.
 */
import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { seed } from "../serve_fixtures.ts";
import { LivePredictions } from "../../src/serve/live_predictions.ts";
import { OnnxPredictor } from "../../src/registry/predictor.ts";

Deno.test("live predictions carry 80% and 95% intervals around the predicted close, and the store counts their coverage", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir, { n: 900 });
  const predictor = new OnnxPredictor(s.registry, "BTC/USD", "1m", 1);
  try {
    await predictor.refresh();
    const q = predictor.current!.card.intervals!.model.q;
    assert(q["0.8"]! > 0 && q["0.8"]! < q["0.95"]!, JSON.stringify(q));
    const live = new LivePredictions([predictor], s.online, s.predictions);
    const rows = s.rows.slice(-200);
    for (const row of rows) await live.onRows([row]);
    const stored = await s.predictions.recent("BTC/USD", "1m", 500);
    assertEquals(stored.length, rows.length);
    let inside80 = 0, inside95 = 0, realised = 0;
    for (const p of stored) {
      const [lo80, hi80] = p.interval_80!, [lo95, hi95] = p.interval_95!;
      assert(
        lo95 <= lo80 && lo80 < p.predicted_close && p.predicted_close < hi80 && hi80 <= hi95,
        JSON.stringify(p),
      );
      if (p.realised_close === null) continue;
      realised++;
      if (p.realised_close >= lo80 && p.realised_close <= hi80) inside80++;
      if (p.realised_close >= lo95 && p.realised_close <= hi95) inside95++;
    }
    const live80 = await s.predictions.liveErrors("BTC/USD", "1m");
    assertEquals(live80.n, realised);
    assertAlmostEquals(live80.coverage_80!, inside80 / realised, 1e-12);
    assertAlmostEquals(live80.coverage_95!, inside95 / realised, 1e-12);
    // Calibrated on the same kind of market, they cover about what they say.
    assert(Math.abs(live80.coverage_80! - 0.8) < 0.1 && live80.coverage_95! > 0.85, JSON.stringify(live80));
  } finally {
    await predictor.close();
    s.online.close();
    await Deno.remove(dir, { recursive: true });
  }
});
