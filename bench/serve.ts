/**
 * The API under load on loopback, beside a bare `Deno.serve` answering the very same bytes from
 * memory, both measured here in the same run with the same wrk settings:
 * - /predict requests/s (wrk, 32 connections), the two servers taking turns three times, so load
 *   from elsewhere on a shared machine falls on both alike (the median of each is compared);
 * - /candles?limit=500 and /predictions?limit=100 requests/s at 200 connections, with wrk's
 *   timeouts and errors, against the same bodies served by the bare server;
 * - /predict p99 (one connection) while /candles is under that load, against the bare server
 *   under the same load;
 * - /predict p50/p99 at half its max rate (wrk with the fewest connections that reach it);
 * - the model's inference time per request, in process (the fastest of five blocks);
 * - the serve process's RSS, sampled throughout the load, at its highest.
 * The serve process is `pipelines/serve.ts` with the task's own permissions, over a seeded data dir
 * whose prediction store holds 1,000 predictions. The wrk driver is ./wrk.ts. One file of about 330
 * lines on purpose: every figure above shares the seeded server and the bare one it is measured against.
 */
import type { BenchResult } from "./ws_frames.ts";
import { hasWrk, latencyAt, wrk, type WrkRun } from "./wrk.ts";
import { seed } from "../tests/serve_fixtures.ts";
import { OnnxPredictor } from "../src/registry/predictor.ts";
import type { Prediction } from "../src/domain/prediction.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const LOAD_CONNECTIONS = 200;

/** /predict on one connection while `loadUrl` takes LOAD_CONNECTIONS more. */
async function latencyUnderLoad(
  predictUrl: string,
  loadUrl: string,
): Promise<{ probe: WrkRun; load: WrkRun }> {
  const load = wrk(loadUrl, LOAD_CONNECTIONS, 7);
  await new Promise((r) => setTimeout(r, 1000));
  const probe = await wrk(predictUrl, 1, 5);
  return { probe, load: await load };
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * `apiUrl` and `bareUrl` under the same load, in turns (API, bare, API, ...): the median rate of
 * each, and the ratio of each turn's pair.
 */
async function takingTurns(
  apiUrl: string,
  bareUrl: string,
  turns = 3,
): Promise<{ api: WrkRun; bare: WrkRun; ratios: number[] }> {
  const api: WrkRun[] = [];
  const bare: WrkRun[] = [];
  for (let i = 0; i < turns; i++) {
    api.push(await wrk(apiUrl, 32, 3));
    bare.push(await wrk(bareUrl, 32, 3));
  }
  const mid = (runs: WrkRun[]) => {
    const rate = median(runs.map((r) => r.rate));
    return runs.find((r) => r.rate === rate)!;
  };
  return { api: mid(api), bare: mid(bare), ratios: api.map((a, i) => a.rate / bare[i]!.rate) };
}

async function waitUp(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.ok) return;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Resident memory of a process, from `ps` (reading /proc needs --allow-all). */
function rssMb(pid: number): number {
  const out = new Deno.Command("ps", { args: ["-o", "rss=", "-p", String(pid)], stdout: "piped" })
    .outputSync();
  return Number(new TextDecoder().decode(out.stdout).trim()) / 1024;
}

/** The highest RSS of `pid` seen from now until `stop()`, sampled every half second. */
function watchRss(pid: number): { stop(): number } {
  let max = rssMb(pid);
  const timer = setInterval(() => max = Math.max(max, rssMb(pid) || 0), 500);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, rssMb(pid) || 0);
    },
  };
}

/**
 * A bare Deno.serve answering each path with the bytes in `bodies` (path → file), else constant
 * JSON. It finds the path by slicing the URL, not by parsing it (`new URL` would cost it about a
 * tenth of its time, and make the reference slower than a bare server is).
 */
function bareServer(port: number, bodies: Record<string, string>): Deno.ChildProcess {
  const code = `
    const bodies = new Map(Object.entries(${
    JSON.stringify(bodies)
  }).map(([p, f]) => [p, Deno.readTextFileSync(f)]));
    const small = JSON.stringify({ pair: "BTC/USD", predicted_close: 1 });
    Deno.serve({ port: ${port}, hostname: "127.0.0.1", onListen() {} }, (req) => {
      const url = req.url;
      const start = url.indexOf("/", url.indexOf("//") + 2);
      const query = url.indexOf("?", start);
      const body = bodies.get(query < 0 ? url.slice(start) : url.slice(start, query));
      return new Response(body ?? small, { headers: { "content-type": "application/json" } });
    });`;
  return new Deno.Command(Deno.execPath(), { args: ["eval", code], stdout: "null", stderr: "inherit" })
    .spawn();
}

function result(
  name: string,
  value: number,
  unit: string,
  reference: string,
  referenceValue: number,
  target: string,
  pass: boolean,
): BenchResult {
  return { name, value, unit, reference, referenceValue, ratio: value / referenceValue, target, pass };
}

export async function benchServe(): Promise<BenchResult[]> {
  if (!(await hasWrk())) {
    console.log("  wrk not installed (apt-get install wrk): serve benchmarks skipped");
    return [];
  }
  const dir = await Deno.makeTempDir({ prefix: "bench-serve-", dir: ROOT });
  const rel = dir.slice(ROOT.length);
  const s = await seed(dir, { n: 3000 });
  for (const r of s.rows.slice(-1000)) {
    const p: Prediction = {
      pair: "BTC/USD",
      window: "1m",
      made_at: r.window_end,
      horizon: 1,
      horizon_s: 60,
      current_close: r.close,
      predicted_close: r.close * 1.0001,
      model: { name: "btc-usd_1m_h1", version: "v0001" },
      realised_close: null,
    };
    await s.predictions.put(p);
  }

  // Inference alone: the promoted model on the latest row, in process. Five blocks of 1,000, the
  // fastest taken: on a shared machine a block's time also counts the moments this process was
  // not running, which the slower blocks show (their median is printed beside it).
  const predictor = new OnnxPredictor(s.registry, "BTC/USD", "1m", 1);
  await predictor.refresh();
  const row = (await s.online.latestWithNews("BTC/USD", "1m"))!;
  for (let i = 0; i < 500; i++) await predictor.predict(row);
  const blocks: number[] = [];
  for (let b = 0; b < 5; b++) {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) await predictor.predict(row);
    blocks.push(performance.now() - t0);
  }
  const inferUs = Math.min(...blocks);
  const inferMedianUs = median(blocks);
  await predictor.close();
  s.online.close();

  const serve = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=0.0.0.0,127.0.0.1,localhost",
      `--allow-read=${rel}`,
      `--allow-write=${rel}`,
      "--allow-env",
      "pipelines/serve.ts",
      "--data-dir",
      rel,
      "--models-dir",
      `${rel}/models`,
      "--pairs",
      "BTC/USD",
      "--max-feature-age",
      "0",
      "--port",
      "18092",
      "--host",
      "127.0.0.1",
      "--log-level",
      "warn",
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  let bare: Deno.ChildProcess | undefined;
  try {
    const api = "http://127.0.0.1:18092";
    const paths = {
      predict: "/predict?pair=BTC/USD",
      candles: "/candles?pair=BTC/USD&limit=500",
      predictions: "/predictions?pair=BTC/USD&limit=100",
    };
    await waitUp(api + paths.predict);
    // The bare server answers the API's own bytes, so the two differ only in how they are made.
    const bodies: Record<string, string> = {};
    for (const key of ["predict", "candles", "predictions"] as const) {
      const file = `${dir}/${key}.json`;
      await Deno.writeFile(file, new Uint8Array(await (await fetch(api + paths[key])).arrayBuffer()));
      bodies[new URL(api + paths[key]).pathname] = file;
    }
    bare = bareServer(18091, bodies);
    const ref = "http://127.0.0.1:18091";
    await waitUp(ref + paths.predict);

    const startRss = rssMb(serve.pid);
    const rss = watchRss(serve.pid);
    const turns = await takingTurns(api + paths.predict, ref + paths.predict);
    const predict = turns.api;
    const barePredict = turns.bare;
    const candles = await wrk(api + paths.candles, LOAD_CONNECTIONS, 5);
    const bareCandles = await wrk(ref + paths.candles, LOAD_CONNECTIONS, 5);
    const predictions = await wrk(api + paths.predictions, LOAD_CONNECTIONS, 5);
    const barePredictions = await wrk(ref + paths.predictions, LOAD_CONNECTIONS, 5);
    const loaded = await latencyUnderLoad(api + paths.predict, api + paths.candles);
    const bareLoaded = await latencyUnderLoad(ref + paths.predict, ref + paths.candles);
    const half = await latencyAt(api + paths.predict, predict.rate / 2);
    const maxRss = rss.stop();
    console.log(
      `  /predict ${Math.round(predict.rate)} req/s (bare ${Math.round(barePredict.rate)}; ratio by turn ` +
        `${turns.ratios.map((r) => r.toFixed(2)).join(", ")}); ` +
        `/candles?limit=500 ${Math.round(candles.rate)} req/s, ${candles.failed} failed ` +
        `(bare ${Math.round(bareCandles.rate)}); /predictions?limit=100 ${
          Math.round(predictions.rate)
        } req/s, ` +
        `${predictions.failed} failed (bare ${Math.round(barePredictions.rate)}); ` +
        `/predict under /candles load: p50 ${loaded.probe.p50.toFixed(2)} ms, p99 ${
          loaded.probe.p99.toFixed(2)
        } ms, ${loaded.probe.failed} failed (bare p99 ${bareLoaded.probe.p99.toFixed(2)} ms); ` +
        `at ${Math.round(half.rate)} req/s (${half.connections} connections): p99 ${
          half.p99.toFixed(3)
        } ms; ` +
        `inference ${inferUs.toFixed(1)} µs (median block ${inferMedianUs.toFixed(1)} µs); serve RSS ${
          startRss.toFixed(0)
        } MB idle, ${maxRss.toFixed(0)} MB at most`,
    );
    const failed = candles.failed + predictions.failed + loaded.probe.failed + loaded.load.failed;
    return [
      result(
        "/predict requests/s (wrk, 32 connections, median of 3 turns)",
        predict.rate,
        "req/s",
        "bare Deno.serve, same bytes",
        barePredict.rate,
        ">= 0.5 of bare",
        predict.rate / barePredict.rate >= 0.5,
      ),
      result(
        `/candles?limit=500 requests/s (${LOAD_CONNECTIONS} connections)`,
        candles.rate,
        "req/s",
        "bare Deno.serve, same bytes",
        bareCandles.rate,
        ">= 0.5 of bare",
        candles.rate / bareCandles.rate >= 0.5,
      ),
      result(
        `/predictions?limit=100 requests/s (${LOAD_CONNECTIONS} connections)`,
        predictions.rate,
        "req/s",
        "bare Deno.serve, same bytes",
        barePredictions.rate,
        ">= 0.5 of bare",
        predictions.rate / barePredictions.rate >= 0.5,
      ),
      result(
        "requests timed out or failed under load",
        failed,
        "requests",
        "requests made",
        Math.round((candles.rate + predictions.rate) * 5),
        "0",
        failed === 0,
      ),
      result(
        `/predict p99 while /candles takes ${LOAD_CONNECTIONS} connections`,
        loaded.probe.p99,
        "ms",
        "bare Deno.serve under the same load (ms)",
        bareLoaded.probe.p99,
        "p99 < 5 ms, none failed",
        loaded.probe.p99 < 5 && loaded.probe.failed === 0,
      ),
      result(
        "/predict p99 at half its max rate",
        half.p99,
        "ms",
        "p50 (ms)",
        half.p50,
        "p99 < 5 ms",
        half.p99 < 5,
      ),
      result(
        "model inference per request (in process, fastest of 5 blocks)",
        inferUs,
        "µs",
        "one 1m candle (µs)",
        60e6,
        "informational",
        true,
      ),
      result(
        "serve process RSS, highest during the load",
        maxRss,
        "MB",
        "idle before the load (MB)",
        startRss,
        "< 200 MB",
        maxRss < 200,
      ),
    ];
  } finally {
    bare?.kill("SIGTERM");
    serve.kill("SIGTERM");
    await Promise.allSettled([bare?.status, serve.status]);
    await Deno.remove(dir, { recursive: true });
  }
}
