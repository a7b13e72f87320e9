/**
 * What keeps the API cheap and honest under load, in memory with `app.request`: reads shared per
 * series and second, a bound on the requests in flight, 405 for a wrong method, and every
 * answer counted in /metrics.
 */
import { assert, assertEquals } from "../assert.ts";
import { seed, type Seeded } from "../serve_fixtures.ts";
import { OnnxPredictor } from "../../src/registry/predictor.ts";
import { createApp, type ServeDeps } from "../../src/serve/app.ts";
import { Metrics } from "../../src/serve/metrics.ts";
import type { Prediction } from "../../src/domain/prediction.ts";

async function withApp(
  fn: (s: Seeded, request: (path: string, init?: RequestInit) => Promise<Response>) => Promise<void>,
  extra: Partial<ServeDeps> = {},
) {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir, { n: 600, train: false });
  try {
    const app = createApp({
      online: s.online,
      predictions: s.predictions,
      registry: s.registry,
      predictors: [new OnnxPredictor(s.registry, "BTC/USD", "1m", 1)],
      maxFeatureAgeS: 0,
      ...extra,
    });
    await fn(s, async (path, init) => await app.request(`http://localhost${path}`, init));
  } finally {
    s.online.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a wrong method on an API route is answered 405 with Allow, an unknown path 404", async () => {
  await withApp(async (_s, request) => {
    for (
      const [method, path] of [["POST", "/predict"], ["PUT", "/candles"], ["DELETE", "/health"]] as const
    ) {
      const res = await request(`${path}?pair=BTC/USD`, { method });
      assertEquals([res.status, res.headers.get("allow")], [405, "GET, HEAD"], `${method} ${path}`);
      assert((await res.json()).error.includes(`${method} is not allowed`));
    }
    assertEquals((await request("/nowhere", { method: "POST" })).status, 404);
    assertEquals((await request("/nowhere")).status, 404);
    const head = await request("/health", { method: "HEAD" });
    assertEquals([head.status, await head.text()], [200, ""]);
  });
});

Deno.test("HEAD is answered with the status and headers of GET, its body's length included", async () => {
  await withApp(async (_s, request) => {
    for (const path of ["/candles?pair=BTC/USD&limit=5", "/predict?pair=BTC", "/nowhere"]) {
      const get = await request(path);
      const length = String((await get.arrayBuffer()).byteLength);
      const head = await request(path, { method: "HEAD" });
      assertEquals(
        [
          head.status,
          head.headers.get("content-type"),
          head.headers.get("content-length"),
          await head.text(),
        ],
        [get.status, get.headers.get("content-type"), length, ""],
        path,
      );
    }
  });
});

Deno.test("every answer is counted in /metrics: 414, 405, 404, 400 and the server's own 408", async () => {
  const metrics = new Metrics();
  await withApp(async (_s, request) => {
    assertEquals((await request(`/predict?pair=${"X".repeat(3000)}`)).status, 414);
    assertEquals((await request("/predict", { method: "POST" })).status, 405);
    assertEquals((await request("/nowhere")).status, 404);
    assertEquals((await request("/predict")).status, 400);
    metrics.serverAnswer(408);
    const text = await (await request("/metrics")).text();
    for (
      const line of [
        'http_requests_total{route="/predict",status="414"} 1',
        'http_requests_total{route="/predict",status="405"} 1',
        'http_requests_total{route="other",status="404"} 1',
        'http_requests_total{route="/predict",status="400"} 1',
        'http_requests_total{route="other",status="408"} 1',
        'http_request_duration_seconds_count{route="/predict"} 3',
      ]
    ) {
      assert(text.includes(line), `${line} missing from\n${text}`);
    }
  }, { metrics });
});

Deno.test("a burst of /candles and /predictions requests reads the store once per series, whatever the limits", async () => {
  await withApp(async (s, request) => {
    const made = s.rows.slice(-30).map((r): Prediction => ({
      pair: "BTC/USD",
      window: "1m",
      made_at: r.window_end,
      horizon: 1,
      horizon_s: 60,
      current_close: r.close,
      predicted_close: r.close + 1,
      model: { name: "naive", version: null },
      realised_close: null,
    }));
    for (const p of made) await s.predictions.put(p);
    const reads = { candles: 0, predictions: 0 };
    const recent = s.online.recent.bind(s.online);
    s.online.recent = (...a) => (reads.candles++, recent(...a));
    const recentPredictions = s.predictions.recent.bind(s.predictions);
    s.predictions.recent = (...a) => (reads.predictions++, recentPredictions(...a));

    // /candles keeps the newest 500 candles and takes limits up to that; /predictions up to 1,000.
    const limits = Array.from({ length: 100 }, (_, i) => 1 + ((i * 37) % 700));
    const answers = await Promise.all(limits.flatMap((limit) => [
      request(`/candles?pair=BTC/USD&limit=${Math.min(limit, 500)}`).then((r) => r.json()),
      request(`/predictions?pair=BTC/USD&limit=${limit}`).then((r) => r.json()),
    ]));
    assertEquals(reads, { candles: 1, predictions: 1 });
    limits.forEach((limit, i) => {
      const candles = answers[2 * i].candles as { t: number; close: number }[];
      const newest = s.rows.slice(-Math.min(limit, 500));
      assertEquals(candles.map((c) => [c.t, c.close]), newest.map((r) => [r.window_start, r.close]));
      const predictions = answers[2 * i + 1].predictions as { made_at: string }[];
      const expected = made.toReversed().slice(0, limit).map((p) => new Date(p.made_at).toISOString());
      assertEquals(predictions.map((p) => p.made_at), expected);
    });
  });
});

Deno.test("requests beyond the in-flight bound are answered 503 at once, the others once the store answers", async () => {
  await withApp(async (s, request) => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => open = resolve);
    const recent = s.online.recent.bind(s.online);
    s.online.recent = async (...a) => (await gate, recent(...a));
    const waiting = Array.from({ length: 4 }, () => request("/candles?pair=BTC/USD"));
    const extra = await Promise.race([
      Promise.all([request("/candles?pair=BTC/USD"), request("/health")]),
      new Promise<"still waiting">((r) => setTimeout(() => r("still waiting"), 3000)),
    ]);
    assert(extra !== "still waiting", "the requests over the bound waited for the store");
    for (const res of extra) {
      assertEquals([res.status, res.headers.get("retry-after")], [503, "1"]);
      assertEquals((await res.json()).error, "busy");
    }
    open();
    assertEquals((await Promise.all(waiting)).map((r) => r.status), [200, 200, 200, 200]);
    assertEquals((await request("/candles?pair=BTC/USD")).status, 200);
  }, { maxInFlight: 4 });
});
