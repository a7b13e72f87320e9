/**
 * The API under load on loopback, beside a bare `Deno.serve` returning a constant JSON body,
 * both measured here in the same run:
 * - max requests/s of each with wrk (2 threads, 32 connections, 8 s);
 * - /predict latency p50/p99 at half its max rate (wrk with the fewest connections that reach it);
 * - the model's inference time per request, in process;
 * - the serve process's RSS after the load.
 * The serve process is `pipelines/serve.ts` with the task's own permissions, over a seeded data dir.
 */
import type { BenchResult } from "./ws_frames.ts";
import { seed } from "../tests/serve_fixtures.ts";
import { Predictor } from "../src/model/predictor.ts";

const ROOT = new URL("../", import.meta.url).pathname;

async function hasWrk(): Promise<boolean> {
  try {
    return (await new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" }).output())
      .code <= 1;
  } catch {
    return false;
  }
}

async function wrk(url: string): Promise<number> {
  const out = await new Deno.Command("wrk", {
    args: ["-t2", "-c32", "-d8s", url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!m) throw new Error(`wrk gave no rate: ${text}${new TextDecoder().decode(out.stderr)}`);
  if (/Non-2xx or 3xx responses/.test(text)) throw new Error(`wrk saw errors: ${text}`);
  return Number(m[1]);
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

function millis(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === "us" ? 1e-3 : m[2] === "s" ? 1e3 : 1);
}

/**
 * Latency at (at least) `rate` requests/s: wrk with the fewest connections that reach it, so the
 * server is as busy as asked and no busier (closed loop; Debian's wrk has no fixed-rate mode).
 */
async function latencyAt(
  url: string,
  rate: number,
): Promise<{ connections: number; rate: number; p50: number; p99: number }> {
  let last = { connections: 0, rate: 0, p50: NaN, p99: NaN };
  for (const c of [1, 2, 3, 4, 6, 8, 12, 16]) {
    const out = await new Deno.Command("wrk", {
      args: [`-t${Math.min(2, c)}`, `-c${c}`, "-d5s", "--latency", url],
      stdout: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    const got = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? 0);
    last = {
      connections: c,
      rate: got,
      p50: millis(/\s50%\s+(\S+)/.exec(text)?.[1] ?? ""),
      p99: millis(/\s99%\s+(\S+)/.exec(text)?.[1] ?? ""),
    };
    if (got >= rate) break;
  }
  return last;
}

/** Resident memory of a process, from `ps` (reading /proc needs --allow-all). */
function rssMb(pid: number): number {
  const out = new Deno.Command("ps", { args: ["-o", "rss=", "-p", String(pid)], stdout: "piped" })
    .outputSync();
  return Number(new TextDecoder().decode(out.stdout).trim()) / 1024;
}

export async function benchServe(): Promise<BenchResult[]> {
  if (!(await hasWrk())) {
    console.log("  wrk not installed (apt-get install wrk): serve benchmarks skipped");
    return [];
  }
  const dir = await Deno.makeTempDir({ prefix: "bench-serve-", dir: ROOT });
  const rel = dir.slice(ROOT.length);
  const s = await seed(dir, { n: 3000 });

  // Inference alone: the promoted model on the latest row, in process.
  const predictor = new Predictor(s.registry, "BTC/USD", "1m", 1);
  await predictor.refresh();
  const row = (await s.online.latestWithNews("BTC/USD", "1m"))!;
  for (let i = 0; i < 500; i++) await predictor.predict(row);
  const t0 = performance.now();
  for (let i = 0; i < 5000; i++) await predictor.predict(row);
  const inferUs = ((performance.now() - t0) * 1000) / 5000;
  await predictor.close();
  s.online.close();

  const bare = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `Deno.serve({ port: 18091, hostname: "127.0.0.1", onListen() {} }, () => Response.json({ pair: "BTC/USD", predicted_close: 1 }))`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
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
  try {
    const bareUrl = "http://127.0.0.1:18091/";
    const predictUrl = "http://127.0.0.1:18092/predict?pair=BTC/USD";
    await waitUp(bareUrl);
    await waitUp(predictUrl);
    const bareRate = await wrk(bareUrl);
    const predictRate = await wrk(predictUrl);
    const half = await latencyAt(predictUrl, predictRate / 2);
    const { p50, p99 } = half;
    const rss = rssMb(serve.pid);
    console.log(
      `  bare Deno.serve ${Math.round(bareRate)} req/s; /predict ${Math.round(predictRate)} req/s; ` +
        `at ${Math.round(half.rate)} req/s (${half.connections} connections): p50 ${p50.toFixed(3)} ms, ` +
        `p99 ${p99.toFixed(3)} ms; ` +
        `inference ${inferUs.toFixed(1)} µs; serve RSS ${rss.toFixed(0)} MB`,
    );
    return [
      {
        name: "/predict requests/s (wrk, loopback)",
        value: predictRate,
        unit: "req/s",
        reference: "bare Deno.serve, constant JSON",
        referenceValue: bareRate,
        ratio: predictRate / bareRate,
        target: ">= 0.5 of bare",
        pass: predictRate / bareRate >= 0.5,
      },
      {
        name: "/predict p99 at half its max rate",
        value: p99,
        unit: "ms",
        reference: "p50 (ms)",
        referenceValue: p50,
        ratio: p99 / p50,
        target: "p99 < 5 ms",
        pass: p99 < 5,
      },
      {
        name: "model inference per request (in process)",
        value: inferUs,
        unit: "µs",
        reference: "one 1m candle (µs)",
        referenceValue: 60e6,
        ratio: inferUs / 60e6,
        target: "informational",
        pass: true,
      },
      {
        name: "serve process RSS after the load",
        value: rss,
        unit: "MB",
        reference: "target (MB)",
        referenceValue: 200,
        ratio: rss / 200,
        target: "< 200 MB",
        pass: rss < 200,
      },
    ];
  } finally {
    bare.kill("SIGTERM");
    serve.kill("SIGTERM");
    await Promise.allSettled([bare.status, serve.status]);
    await Deno.remove(dir, { recursive: true });
  }
}
