/** The API over loopback: every status of the contract, hot swaps under load, refused models, live predictions. */
import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { seed, serveSeeded } from "../serve_fixtures.ts";
import { LivePredictions } from "../../src/serve/live_predictions.ts";
import { OnnxPredictor } from "../../src/registry/predictor.ts";
import { featureVector } from "../../src/model/features.ts";
import { scaleOf } from "../../src/model/interval_scale.ts";
import { openSession } from "../../src/onnx/runtime.ts";
import { runOnnx } from "../../src/registry/onnx_export.ts";

async function get(url: string) {
  const res = await fetch(url);
  const text = await res.text();
  let body: Record<string, unknown> | null = null;
  try {
    body = JSON.parse(text);
  } catch { /* text routes */ }
  return { status: res.status, body, text, headers: res.headers };
}

Deno.test("serve: /predict answers 200, 400, 404 and 503 as the contract says", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir);
  const srv = await serveSeeded(s);
  try {
    const ok = await get(`${srv.base}/predict?pair=BTC/USD`);
    assertEquals(ok.status, 200, ok.text);
    const last = s.rows.at(-1)!;
    const b = ok.body!;
    assertEquals([b.pair, b.window, b.as_of, b.horizon_s, b.current_close], [
      "BTC/USD",
      "1m",
      new Date(last.window_end).toISOString(),
      60,
      last.close,
    ]);
    assertEquals(b.model, { name: "btc-usd_1m_h1", version: "v0001" });
    // The answer is the ONNX model's, run here independently on the same row.
    const session = await openSession(await s.registry.modelBytes("btc-usd_1m_h1", "v0001"), "model");
    const row = (await s.online.latestWithNews("BTC/USD", "1m"))!;
    const x = featureVector(row);
    const r = (await runOnnx(session, x, 1, x.length))[0]!;
    await session.release();
    assertAlmostEquals(b.predicted_close as number, last.close * Math.exp(r), 1e-9);
    assertAlmostEquals(b.predicted_change_pct as number, (Math.exp(r) - 1) * 100, 1e-9);
    // The card's conformal quantiles around the prediction, in the σ its scale model gives the row.
    const card = await s.registry.card("btc-usd_1m_h1", "v0001");
    const q = card.intervals!.model;
    assert(q.scale_model, "the seeded model learns its interval scale");
    const sigma = scaleOf(q.scale_model, (name) => x[card.features.indexOf(name)]!);
    assert(sigma !== row.realized_vol_15, "σ is not realised volatility alone");
    for (const [key, level] of [["interval_80", "0.8"], ["interval_95", "0.95"]] as const) {
      const half = q.q[level]! * Math.max(sigma, q.floor);
      const band = b[key] as [number, number];
      assertAlmostEquals(band[0], last.close * Math.exp(r - half), 1e-9);
      assertAlmostEquals(band[1], last.close * Math.exp(r + half), 1e-9);
    }
    assertEquals((await get(`${srv.base}/predict?pair=btc-usd&window=1m`)).status, 200);

    for (
      const [query, parameter] of [["", "pair"], ["pair=", "pair"], ["pair=BTC", "pair"], [
        "pair=BTC/USD&window=2m",
        "window",
      ]]
    ) {
      const bad = await get(`${srv.base}/predict?${query}`);
      assertEquals([bad.status, bad.body?.parameter], [400, parameter], query);
    }
    const twice = await get(`${srv.base}/predict?window=1m&pair=BTC/USD&pair=ETH/USD`);
    assertEquals([twice.status, twice.body?.parameter], [400, "pair"]);
    assertEquals(twice.body?.error, "pair is given 2 times ('BTC/USD', 'ETH/USD'): give it once");
    // A key that only ends in another's name is not that one repeated.
    assertEquals((await get(`${srv.base}/predict?pair=BTC/USD&xpair=ETH/USD`)).status, 200);
    assertEquals((await get(`${srv.base}/predict?pair=SOL/USD`)).status, 404);
    assertEquals((await get(`${srv.base}/predict?pair=BTC/USD&window=5m`)).status, 404);
    const noModel = await get(`${srv.base}/predict?pair=ETH/USD`);
    assertEquals(noModel.status, 503);
    assert(String(noModel.body?.reason).includes("no promoted model eth-usd_1m_h1"));
    assertEquals(noModel.headers.get("retry-after"), "60");
    assertEquals((await get(`${srv.base}/predict?pair=${"X".repeat(3000)}`)).status, 414);
  } finally {
    await srv.close();
  }
  // Stale features: the default limit is three windows.
  const stale = await serveSeeded(s, {
    maxFeatureAgeS: undefined,
    now: () => s.rows.at(-1)!.window_end + 181_000,
  });
  try {
    const res = await get(`${stale.base}/predict?pair=BTC/USD`);
    assertEquals(res.status, 503);
    assert(String(res.body?.reason).includes("181 s old (limit 180 s)"), res.text);
    assertEquals(res.headers.get("retry-after"), "60");
  } finally {
    await stale.close();
    s.online.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: /health, /metrics, /models, /predictions and bounded queries", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir);
  const srv = await serveSeeded(s);
  try {
    await get(`${srv.base}/predict?pair=BTC/USD`);
    await get(`${srv.base}/predict?pair=nope`);
    const health = await get(`${srv.base}/health`);
    assertEquals(health.status, 200);
    const series = health.body!.series as {
      pair: string;
      model: { version: string } | null;
      last_candle: string;
    }[];
    assertEquals(series.map((x) => [x.pair, x.model?.version ?? null]), [["BTC/USD", "v0001"], [
      "ETH/USD",
      null,
    ]]);
    assertEquals(series[0]!.last_candle, new Date(s.rows.at(-1)!.window_end).toISOString());
    const metrics = await get(`${srv.base}/metrics`);
    assert(metrics.text.includes('http_requests_total{route="/predict",status="200"} 1'), metrics.text);
    assert(metrics.text.includes('http_requests_total{route="/predict",status="400"} 1'));
    assert(metrics.text.includes('http_request_duration_seconds_count{route="/predict"} 2'));
    assert(/feature_lag_seconds\{pair="BTC\/USD",window="1m"\} \d/.test(metrics.text));
    assert(metrics.text.includes('model_info{pair="BTC/USD",window="1m",version="v0001"} 1'));
    const models = await get(`${srv.base}/models`);
    const m =
      (models.body!.models as { name: string; promoted: string; versions: { version: string }[] }[])[0]!;
    assertEquals([m.name, m.promoted, m.versions.length], ["btc-usd_1m_h1", "v0001", 1]);
    assertEquals((await get(`${srv.base}/predictions?pair=BTC/USD&limit=0`)).status, 400);
    assertEquals((await get(`${srv.base}/predictions?pair=BTC/USD&limit=5000`)).body?.parameter, "limit");
    assertEquals((await get(`${srv.base}/predictions?pair=BTC/USD&limit=10`)).status, 200);
    const limits = await get(`${srv.base}/candles?limit=5&pair=BTC/USD&limit=10`);
    assertEquals([limits.status, limits.body?.parameter], [400, "limit"]);
    const candles = await get(`${srv.base}/candles?pair=BTC/USD&limit=50`);
    assertEquals((candles.body!.candles as unknown[]).length, 50);
  } finally {
    await srv.close();
    s.online.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: a new version is swapped in under concurrent requests without one failing; a corrupt one is refused", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir);
  const srv = await serveSeeded(s, { pairs: ["BTC/USD"] });
  const name = "btc-usd_1m_h1";
  try {
    // v0002: the same model files, a new version.
    const v2 = await s.registry.reserve(name);
    const card = await s.registry.card(name, "v0001");
    await s.registry.save({ ...card, version: v2 }, await s.registry.modelBytes(name, "v0001"));
    let stop = false;
    const versions = new Set<string>();
    const statuses: number[] = [];
    const load = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const res = await get(`${srv.base}/predict?pair=BTC/USD`);
        statuses.push(res.status);
        versions.add((res.body?.model as { version: string }).version);
      }
    });
    await new Promise((r) => setTimeout(r, 100));
    await s.registry.promote(name, v2, "promote", "test");
    assertEquals(await srv.predictors[0]!.refresh(), "swapped");
    await new Promise((r) => setTimeout(r, 100));
    stop = true;
    await Promise.all(load);
    assert(statuses.length > 50, `${statuses.length} requests`);
    assert(statuses.every((x) => x === 200), `statuses: ${[...new Set(statuses)]}`);
    assertEquals([...versions].sort(), ["v0001", "v0002"]);

    // v0003: corrupt bytes. v0004: a feature list the store does not provide.
    const v3 = await s.registry.reserve(name);
    await s.registry.save({ ...card, version: v3 }, new TextEncoder().encode("garbage"));
    await s.registry.promote(name, v3, "promote", "test");
    assertEquals(await srv.predictors[0]!.refresh(), "refused");
    assert(srv.predictors[0]!.lastError!.includes("not a valid ONNX model"));
    const v4 = await s.registry.reserve(name);
    await s.registry.save(
      { ...card, version: v4, features: [...card.features, "made_up"] },
      await s.registry.modelBytes(name, "v0001"),
    );
    await s.registry.promote(name, v4, "promote", "test");
    assertEquals(await srv.predictors[0]!.refresh(), "refused");
    assert(srv.predictors[0]!.lastError!.includes("not provided: made_up"));
    const still = await get(`${srv.base}/predict?pair=BTC/USD`);
    assertEquals([still.status, (still.body!.model as { version: string }).version], [200, "v0002"]);
    const health = await get(`${srv.base}/health`);
    assert(JSON.stringify(health.body).includes("v0004 refused"));
  } finally {
    await srv.close();
    s.online.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("live predictions: each closed candle is predicted, realised a horizon later, and live MAE adds up", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir);
  try {
    const predictor = new OnnxPredictor(s.registry, "BTC/USD", "1m", 1);
    const naive = new OnnxPredictor(s.registry, "ETH/USD", "1m", 1);
    await predictor.refresh();
    const live = new LivePredictions([predictor, naive], s.online, s.predictions);
    const tail = s.rows.slice(-40);
    const eth = tail.map((r) => ({ ...r, pair: "ETH/USD" }));
    for (let i = 0; i < tail.length; i++) {
      await s.online.upsert([tail[i]!, eth[i]!]);
      await live.onRows([tail[i]!, eth[i]!]);
    }
    // Replayed rows change nothing.
    await live.onRows(tail.slice(-5));
    assertEquals([live.made, live.realised], [80, 78]);
    const list = (await s.predictions.recent("BTC/USD", "1m", 100)).reverse();
    assertEquals(list.length, 40);
    let errModel = 0, errNaive = 0;
    list.forEach((p, i) => {
      assertEquals(p.made_at, tail[i]!.window_end);
      assertEquals(p.model.version, "v0001");
      assertEquals(p.realised_close, i + 1 < tail.length ? tail[i + 1]!.close : null);
      if (p.realised_close !== null) {
        errModel += Math.abs(p.predicted_close - p.realised_close);
        errNaive += Math.abs(p.current_close - p.realised_close);
      }
    });
    const errors = await s.predictions.liveErrors("BTC/USD", "1m");
    assertEquals(errors.n, 39);
    assertAlmostEquals(errors.mae_model!, errModel / 39, 1e-9);
    assertAlmostEquals(errors.mae_naive!, errNaive / 39, 1e-9);
    const ethList = await s.predictions.recent("ETH/USD", "1m", 1);
    assertEquals(ethList[0]!.model, { name: "naive", version: null });
    assertEquals(ethList[0]!.predicted_close, ethList[0]!.current_close);
    await predictor.close();
  } finally {
    s.online.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a predictor answers concurrent predictions each from its own row, across a swap, as one at a time would", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir);
  const name = "btc-usd_1m_h1";
  const predictor = new OnnxPredictor(s.registry, "BTC/USD", "1m", 1);
  try {
    await predictor.refresh();
    const rows = [];
    for (const r of s.rows.slice(-20)) {
      rows.push((await s.online.modelRow("BTC/USD", "1m", undefined, r.window_start))!);
    }
    const one = [];
    for (const r of rows) one.push((await predictor.predict(r)).predicted_close);
    const v2 = await s.registry.reserve(name);
    await s.registry.save(
      { ...(await s.registry.card(name, "v0001")), version: v2 },
      await s.registry.modelBytes(name, "v0001"),
    );
    await s.registry.promote(name, v2, "promote", "test");
    const first = rows.map((r) => predictor.predict(r));
    assertEquals(await predictor.refresh(), "swapped");
    const second = rows.map((r) => predictor.predict(r));
    const answers = await Promise.all([...first, ...second]);
    assertEquals(answers.map((a) => a.predicted_close), [...one, ...one]);
    assertEquals(answers.map((a) => a.model.version), [...rows.map(() => "v0001"), ...rows.map(() => v2)]);
  } finally {
    await predictor.close();
    s.online.close();
    await Deno.remove(dir, { recursive: true });
  }
});
