/**
 * The API in memory: `app.request` against in-memory ports (no KV, no registry files, no ONNX),
 * every status of the contract and where each answer's numbers come from. The same API over real
 * stores and a real model on loopback: tests/integration/serve_test.ts.
 */
import { assert, assertEquals } from "../assert.ts";
import { type FeatureRow, INDICATOR_COLUMNS } from "../../src/domain/feature_row.ts";
import type { Predictor } from "../../src/domain/ports.ts";
import { createApp, type ServeDeps } from "../../src/serve/app.ts";
import { Metrics } from "../../src/serve/metrics.ts";
import {
  cardFor,
  FixedPredictor,
  MemoryFeatureStore,
  MemoryPredictionStore,
  MemoryRegistry,
} from "../memory_ports.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 1);

/** `n` closed 1m candles of `pair` from T0, with empty indicator columns. */
function rows(n: number, pair = "BTC/USD"): FeatureRow[] {
  return Array.from({ length: n }, (_, i) => {
    const close = 50_000 + 10 * Math.sin(i);
    return {
      pair,
      window: "1m",
      window_start: T0 + i * MIN,
      window_end: T0 + (i + 1) * MIN,
      open: close - 5,
      high: close + 10,
      low: close - 10,
      close,
      volume: 2,
      vwap: close,
      trades: 3,
      buy_volume: 1,
      sell_volume: 1,
      ...Object.fromEntries(INDICATOR_COLUMNS.map((c) => [c, null])),
      warm: true,
    } as FeatureRow;
  });
}

interface World {
  online: MemoryFeatureStore;
  predictions: MemoryPredictionStore;
  registry: MemoryRegistry;
  btc: FixedPredictor;
  eth: FixedPredictor;
  rows: FeatureRow[];
  get(
    path: string,
    init?: RequestInit,
  ): Promise<{ status: number; body: Record<string, unknown>; res: Response }>;
}

async function world(extra: Partial<ServeDeps> = {}, predictors?: (w: World) => Predictor[]): Promise<World> {
  const online = new MemoryFeatureStore();
  const series = rows(120);
  await online.upsert(series);
  const w = {
    online,
    predictions: new MemoryPredictionStore(),
    registry: new MemoryRegistry(),
    btc: new FixedPredictor("BTC/USD", "1m", 1).serve("v0001"),
    eth: new FixedPredictor("ETH/USD", "1m", 1),
    rows: series,
  } as World;
  const app = createApp({
    online: w.online,
    predictions: w.predictions,
    registry: w.registry,
    predictors: predictors?.(w) ?? [w.btc, w.eth],
    now: () => series.at(-1)!.window_end + 5_000,
    ...extra,
  });
  w.get = async (path, init) => {
    const res = await app.request(`http://localhost${path}`, init);
    const text = await res.clone().text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text);
    } catch { /* a text route */ }
    return { status: res.status, body, res };
  };
  return w;
}

Deno.test("/predict answers the predictor's prediction from the latest row in the online store", async () => {
  const w = await world();
  const { status, body } = await w.get("/predict?pair=BTC/USD");
  const last = w.rows.at(-1)!;
  assertEquals(status, 200);
  assertEquals(body, {
    pair: "BTC/USD",
    window: "1m",
    as_of: new Date(last.window_end).toISOString(),
    horizon_s: 60,
    current_close: last.close,
    predicted_close: last.close * Math.exp(0.01),
    predicted_change_pct: (Math.exp(0.01) - 1) * 100,
    interval_80: null,
    interval_95: null,
    model: { name: "btc-usd_1m_h1", version: "v0001" },
    features_age_s: 5,
  });
  assertEquals(w.btc.asked.at(-1)!.window_start, last.window_start);
});

Deno.test("/predict answers 400 naming the parameter that is wrong", async () => {
  const w = await world();
  for (
    const [query, parameter] of [
      ["", "pair"],
      ["pair=BTC", "pair"],
      ["pair=BTC/USD&window=2m", "window"],
      ["pair=BTC/USD&horizon=0", "horizon"],
      ["pair=BTC/USD&horizon=abc", "horizon"],
      // Past 2^53 it would be read as another number.
      ["pair=BTC/USD&horizon=99999999999999999999", "horizon"],
      ["pair=BTC/USD&horizon=1.5", "horizon"],
      ["pair=BTC/USD&horizon=", "horizon"],
    ]
  ) {
    const { status, body } = await w.get(`/predict?${query}`);
    assertEquals([status, body.parameter], [400, parameter], query);
    assert(typeof body.error === "string" && body.error.length > 0);
  }
});

Deno.test("/predict answers 404 for a series not tracked, listing the tracked ones", async () => {
  const w = await world();
  const { status, body } = await w.get("/predict?pair=SOL/USD");
  assertEquals([status, body], [404, {
    error: "SOL/USD is not tracked",
    tracked: ["BTC/USD 1m h1", "ETH/USD 1m h1"],
  }]);
  assertEquals((await w.get("/predict?pair=BTC/USD&window=5m")).body.error, "BTC/USD 5m is not tracked");
  // A horizon asked for is the one served or a 404 saying which is; never another quietly.
  const far = await w.get("/predict?pair=BTC/USD&horizon=5");
  assertEquals([far.status, far.body.error], [404, "BTC/USD 1m is predicted 1 candle(s) ahead, not 5"]);
  assertEquals((await w.get("/predict?pair=BTC/USD&window=1m&horizon=1")).status, 200);
});

Deno.test("/predict answers 503 with the reason when no model serves: refused, or the system's status", async () => {
  let phase: "training" | "live" = "training";
  let detail = "the first model";
  const w = await world({ status: () => ({ phase, detail }) });
  const busy = await w.get("/predict?pair=ETH/USD");
  assertEquals([busy.status, busy.body.error, busy.body.reason], [
    503,
    "no model",
    "training: the first model",
  ]);
  // Training its first models, the system has one in seconds; live without one, it retries once the
  // history has grown, and says so: `train` could not open the offline store the system holds.
  assertEquals(busy.res.headers.get("retry-after"), "5");
  phase = "live";
  detail =
    'no ETH/USD model beat "no change" yet (retrying at 900 candles); predicting "no change" meanwhile';
  const none = await w.get("/predict?pair=ETH/USD");
  assertEquals(none.res.headers.get("retry-after"), "60");
  assertEquals(none.body.reason, `live: ${detail}`);
  w.eth.refuse("model eth-usd_1m_h1 v0002 refused: model.onnx is zero bytes");
  assertEquals((await w.get("/predict?pair=ETH/USD")).body.reason, w.eth.lastError);
});

Deno.test("/predict's 503 without a model names the command that trains the horizon served", async () => {
  const w = await world({}, () => [new FixedPredictor("ETH/USD", "5m", 5)]);
  const { status, body } = await w.get("/predict?pair=ETH/USD");
  assertEquals([status, body.reason], [
    503,
    "no promoted model eth-usd_5m_h5: run deno task train --pair ETH/USD --window 5m --horizon 5",
  ]);
});

Deno.test("/predict answers 503 when no candle has closed, and when the latest one is too old", async () => {
  const empty = await world({}, (w) => [new FixedPredictor("SOL/USD", "1m", 1).serve("v0001"), w.btc]);
  const none = await empty.get("/predict?pair=SOL/USD");
  assertEquals([none.status, none.body.error], [503, "no features"]);
  assertEquals(none.res.headers.get("retry-after"), "60");

  const lastEnd = T0 + 120 * MIN;
  const stale = await world({ maxFeatureAgeS: undefined, now: () => lastEnd + 181_000 });
  const old = await stale.get("/predict?pair=BTC/USD");
  assertEquals([old.status, old.body.error], [503, "stale features"]);
  assert(String(old.body.reason).includes("181 s old (limit 180 s)"), String(old.body.reason));
});

Deno.test("an error a route did not expect is answered 500 without its message, and logged", async () => {
  const logged: string[] = [];
  const log = { debug() {}, info() {}, warn() {}, error: (m: string) => logged.push(m) };
  const w = await world({ log });
  w.online.failure = new Error("disk on fire");
  const { status, body } = await w.get("/predict?pair=BTC/USD");
  assertEquals([status, body], [500, { error: "internal error" }]);
  assertEquals(logged, ["GET /predict: disk on fire"]);
});

Deno.test("/health says which series are ready, and 503 with the store's error when it cannot read", async () => {
  const w = await world();
  const ok = await w.get("/health");
  assertEquals([ok.status, ok.body.ready], [200, true]);
  const series = ok.body.series as { pair: string; model: unknown; features_age_s: number }[];
  assertEquals(series.map((s) => [s.pair, s.model, s.features_age_s]), [
    ["BTC/USD", { name: "btc-usd_1m_h1", version: "v0001" }, 5],
    ["ETH/USD", null, null],
  ]);
  // Reads are shared for a second, so a failing store is shown by a fresh app.
  const broken = await world();
  broken.online.failure = new Error("store closed");
  const down = await broken.get("/health");
  assertEquals([down.status, down.body.status, down.body.store], [503, "error", "store closed"]);
});

Deno.test("/health gives the feature age limit /predict answers 503 past, and null when the check is off", async () => {
  const lastEnd = T0 + 120 * MIN;
  const limits = async (extra: Partial<ServeDeps>) =>
    ((await (await world(extra)).get("/health")).body.series as { max_feature_age_s: unknown }[])
      .map((s) => s.max_feature_age_s);
  // Three 1m windows by default, as /predict.
  assertEquals(await limits({ maxFeatureAgeS: undefined }), [180, 180]);
  assertEquals(await limits({ maxFeatureAgeS: 30 }), [30, 30]);
  assertEquals(await limits({ maxFeatureAgeS: 0 }), [null, null]);
  // Just past the limit /health gives, /predict refuses.
  const w = await world({ maxFeatureAgeS: 30, now: () => lastEnd + 31_000 });
  const [btc] = (await w.get("/health")).body.series as {
    features_age_s: number;
    max_feature_age_s: number;
  }[];
  assert(btc!.features_age_s > btc!.max_feature_age_s);
  assertEquals((await w.get("/predict?pair=BTC/USD")).body.error, "stale features");
  // Not ready while /predict refuses every series; ready again with the check off.
  assertEquals((await w.get("/health")).body.ready, false);
  const off = await world({ maxFeatureAgeS: 0, now: () => lastEnd + 31_000 });
  assertEquals((await off.get("/health")).body.ready, true);
});

Deno.test("/models lists each model's versions with the promoted one marked", async () => {
  const w = await world();
  for (const v of ["v0001", "v0002"]) {
    assertEquals(await w.registry.reserve("btc-usd_1m_h1"), v);
    await w.registry.save(cardFor("BTC/USD", "1m", 1, v), new Uint8Array([1]));
  }
  await w.registry.promote("btc-usd_1m_h1", "v0001", "train", "better");
  const { body } = await w.get("/models");
  const [model] = body.models as {
    name: string;
    promoted: string;
    versions: { version: string; promoted: boolean }[];
  }[];
  assertEquals([model!.name, model!.promoted], ["btc-usd_1m_h1", "v0001"]);
  assertEquals(model!.versions.map((v) => [v.version, v.promoted]), [["v0001", true], ["v0002", false]]);
});

Deno.test("/candles answers the newest candles oldest first up to the limit, /predictions newest first", async () => {
  const w = await world();
  const candles = await w.get("/candles?pair=BTC/USD&limit=3");
  assertEquals(
    (candles.body.candles as { t: number }[]).map((c) => c.t),
    w.rows.slice(-3).map((r) => r.window_start),
  );
  for (const made_at of [1, 2, 3]) {
    await w.predictions.put({
      pair: "BTC/USD",
      window: "1m",
      made_at: made_at * MIN,
      horizon: 1,
      horizon_s: 60,
      current_close: 100,
      predicted_close: 101,
      model: { name: "naive", version: null },
      realised_close: null,
    });
  }
  await w.predictions.realise("BTC/USD", "1m", MIN, 103);
  const list = await w.get("/predictions?pair=BTC/USD&limit=2");
  assertEquals(
    (list.body.predictions as { made_at: string }[]).map((p) => p.made_at),
    [new Date(3 * MIN).toISOString(), new Date(2 * MIN).toISOString()],
  );
  assertEquals(list.body.live, { n: 1, mae_model: 2, mae_naive: 3, coverage_80: null, coverage_95: null });
  assertEquals((await w.get("/predictions?pair=BTC/USD&limit=0")).body.parameter, "limit");
  // /candles keeps 500 candles a series, and says so rather than answering fewer than asked.
  for (const bad of ["1e2", "0x10", "+5", " 5", "5.0"]) {
    assertEquals((await w.get(`/candles?pair=BTC/USD&limit=${encodeURIComponent(bad)}`)).status, 400, bad);
  }
  const tooMany = await w.get("/candles?pair=BTC/USD&limit=501");
  assertEquals([tooMany.status, tooMany.body.parameter], [400, "limit"]);
  assert(String(tooMany.body.error).includes("from 1 to 500"), String(tooMany.body.error));
  assertEquals((await w.get("/predictions?pair=BTC/USD&limit=1000")).status, 200);
  assertEquals((await w.get("/candles?pair=SOL/USD")).body, { error: "SOL/USD is not tracked" });
  assertEquals((await w.get("/candles?pair=BTC/USD&window=5m")).body, { error: "BTC/USD 5m is not tracked" });
});

Deno.test("an error answer keeps the CORS header of the request's origin", async () => {
  const w = await world({ corsOrigins: ["https://example.org"] });
  const { status, res } = await w.get("/predict?pair=ETH/USD", {
    headers: { origin: "https://example.org" },
  });
  assertEquals(status, 503);
  assertEquals(res.headers.get("access-control-allow-origin"), "https://example.org");
  assertEquals(res.headers.get("retry-after"), "60");
});

Deno.test("a wrong method on a route is answered 405 with Allow, and a long URL 414", async () => {
  const w = await world();
  const wrong = await w.get("/predict?pair=BTC/USD", { method: "POST" });
  assertEquals([wrong.status, wrong.res.headers.get("allow")], [405, "GET, HEAD"]);
  assertEquals((await w.get("/nowhere")).status, 404);
  assertEquals((await w.get(`/predict?pair=${"X".repeat(3000)}`)).status, 414);
});

Deno.test("/candles takes in candles closed since its last read, a few or more than it reads at once", async () => {
  const w = await world();
  const starts = async () =>
    ((await w.get("/candles?pair=BTC/USD&limit=500")).body.candles as { t: number }[]).map((c) => c.t);
  assertEquals((await starts()).length, 120);
  for (const more of [123, 143]) {
    await w.online.upsert(rows(more).slice(-(more === 123 ? 3 : 20)));
    // Reads are shared for a second.
    await new Promise((r) => setTimeout(r, 1_100));
    assertEquals(await starts(), rows(more).map((r) => r.window_start));
  }
});

Deno.test("/predict answers each request with its own age, the model's body kept between requests", async () => {
  let now = T0 + 120 * MIN + 5_000;
  const w = await world({ now: () => now });
  const last = w.rows.at(-1)!;
  const fields = {
    pair: "BTC/USD",
    window: "1m",
    as_of: new Date(last.window_end).toISOString(),
    horizon_s: 60,
    current_close: last.close,
    predicted_close: last.close * Math.exp(0.01),
    predicted_change_pct: (Math.exp(0.01) - 1) * 100,
    interval_80: null,
    interval_95: null,
    model: { name: "btc-usd_1m_h1", version: "v0001" },
  };
  const first = await w.get("/predict?pair=BTC/USD");
  assertEquals(await first.res.text(), JSON.stringify({ ...fields, features_age_s: 5 }));
  assertEquals(first.res.headers.get("content-type"), "application/json");
  now += 2_250;
  assertEquals(
    await (await w.get("/predict?pair=BTC/USD")).res.text(),
    JSON.stringify({ ...fields, features_age_s: 7.25 }),
  );
  // A model swapped in answers at once, within the second the last read is shared for.
  w.btc.serve("v0002");
  const swapped = await w.get("/predict?pair=BTC/USD");
  assertEquals(swapped.body.model, { name: "btc-usd_1m_h1", version: "v0002" });
  assertEquals(w.btc.asked.length, 2);
});

Deno.test("/predict, /candles and /predictions answer without a promise while the second's read has answered", async () => {
  const metrics = new Metrics();
  const online = new MemoryFeatureStore();
  await online.upsert(rows(10));
  const app = createApp({
    online,
    predictions: new MemoryPredictionStore(),
    registry: new MemoryRegistry(),
    predictors: [new FixedPredictor("BTC/USD", "1m", 1).serve("v0001")],
    maxFeatureAgeS: 0,
    metrics,
  });
  for (const path of ["/predict?pair=BTC/USD", "/candles?pair=BTC/USD", "/predictions?pair=BTC/USD"]) {
    const request = () => app.fetch(new Request(`http://localhost${path}`));
    const first = request();
    assert(first instanceof Promise, `${path}: the first request waits on the store`);
    assertEquals((await first).status, 200);
    const again = request();
    assert(again instanceof Response, `${path}: the next one is answered at once`);
    assertEquals(again.status, 200);
  }
  const text = metrics.render([]);
  for (const route of ["/predict", "/candles", "/predictions"]) {
    assert(text.includes(`http_requests_total{route="${route}",status="200"} 2`), text);
  }
});
