/**
 * Prediction intervals from training to serving: a trained model's card carries its conformal
 * quantiles, each live prediction carries the 80% and 95% intervals of its close, and the store
 * counts how many realised closes fell inside them.
 */
import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { seed, type Seeded, serveSeeded } from "../serve_fixtures.ts";
import { LivePredictions } from "../../src/serve/live_predictions.ts";
import { OnnxPredictor } from "../../src/registry/predictor.ts";
import type { Prediction } from "../../src/domain/prediction.ts";

/**
 * A seeded store with a trained BTC/USD model, loaded in a predictor that reads what its intervals
 * have learnt live from the store (or, with `learn` false, keeps the card's).
 */
async function withPredictor(
  learn: boolean,
  fn: (s: Seeded, predictor: OnnxPredictor, live: LivePredictions) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir, { n: 900 });
  const predictor = new OnnxPredictor(s.registry, "BTC/USD", "1m", 1);
  if (learn) predictor.liveIntervals = s.predictions;
  try {
    await predictor.refresh();
    await fn(s, predictor, new LivePredictions([predictor], s.online, s.predictions));
  } finally {
    await predictor.close();
    s.online.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("live predictions carry 80% and 95% intervals around the predicted close, and the store counts their coverage", async () => {
  await withPredictor(false, async (s, predictor, live) => {
    const q = predictor.current!.card.intervals!.model.q;
    assert(q["0.8"]! > 0 && q["0.8"]! < q["0.95"]!, JSON.stringify(q));
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
  });
});

Deno.test("serving's intervals learn from realised closes: the store keeps each version's scores and misses, and misses widen later intervals", async () => {
  const halfWidth = (p: Prediction) =>
    Math.log(p.interval_80![1] / p.interval_80![0]) / 2 / p.interval_scale!;
  await withPredictor(true, async (s, predictor, live) => {
    const version = predictor.current!.version;
    const rows = s.rows.slice(-200);
    for (const row of rows.slice(0, 100)) await live.onRows([row]);
    const calm = await s.predictions.intervalState("BTC/USD", "1m", version);
    assertEquals(calm!.version, version);
    assertEquals(calm!.scores.length, 99, "one score per realised prediction");
    const [first] = await s.predictions.recent("BTC/USD", "1m", 1);
    assert(first!.interval_scale! > 0, JSON.stringify(first));
    // The same close again counts once.
    await s.predictions.realise("BTC/USD", "1m", first!.made_at - 60_000, rows[99]!.close);
    assertEquals((await s.predictions.intervalState("BTC/USD", "1m", version))!.scores.length, 99);

    // Fifty closes 5% away from the one before: every interval misses.
    for (const [k, row] of rows.slice(100, 150).entries()) {
      await live.onRows([{ ...row, close: row.close * (k % 2 ? 1.05 : 0.95) }]);
    }
    const stormy = await s.predictions.intervalState("BTC/USD", "1m", version);
    assertEquals(stormy!.scores.length, 149);
    assert(stormy!.drift["0.8"]! > calm!.drift["0.8"]! + 30, JSON.stringify(stormy!.drift));
    // A stored prediction's intervals are drawn from every close realised before it.
    await live.onRows([rows[150]!]);
    const [last] = await s.predictions.recent("BTC/USD", "1m", 1);
    assert(halfWidth(last!) > 1.5 * halfWidth(first!), `${halfWidth(first!)} → ${halfWidth(last!)}`);

    // /health and /metrics say where the misses have moved the levels.
    const card = predictor.current!.card.intervals!.model;
    const now = await s.predictions.intervalState("BTC/USD", "1m", version);
    const level80 = Math.min(0.995, 0.8 + card.aci_step! * (card.drift!["0.8"]! + now!.drift["0.8"]!));
    assert(level80 > 0.9, `${level80}`);
    const srv = await serveSeeded(s, { pairs: [], predictors: [predictor] });
    try {
      const health = await (await fetch(`${srv.base}/health`)).json();
      assertAlmostEquals(health.series[0].interval_levels["0.8"], level80, 1e-12);
      const metrics = await (await fetch(`${srv.base}/metrics`)).text();
      const gauge = metrics.match(/^interval_level\{pair="BTC\/USD",window="1m",level="0.8"\} (\S+)$/m);
      assertAlmostEquals(Number(gauge?.[1]), level80, 1e-9);
    } finally {
      await srv.close();
    }
  });
});

Deno.test("stored intervals are the same however the rows are batched", async () => {
  await withPredictor(true, async (s, _predictor, live) => {
    const wipe = async () => {
      for (const prefix of ["pred", "pred_stats", "pred_intervals"]) {
        for await (const e of s.online.kv.list({ prefix: [prefix] })) await s.online.kv.delete(e.key);
      }
    };
    const rows = s.rows.slice(-120);
    for (const row of rows) await live.onRows([row]);
    const oneByOne = await s.predictions.recent("BTC/USD", "1m", 500);
    await wipe();
    for (let k = 0; k < rows.length; k += 40) {
      const forecasts = [];
      for (const row of rows.slice(k, k + 40)) forecasts.push((await live.forecast(row))!);
      await live.write(forecasts);
    }
    const batched = await s.predictions.recent("BTC/USD", "1m", 500);
    assertEquals(batched.length, rows.length);
    assertEquals(batched, oneByOne);
  });
});
