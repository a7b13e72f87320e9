/**
 * The Deno Deploy entry: the same API and dashboard, from Deno KV and models read with
 * onnxruntime-web only (no DuckDB, no onnxruntime-node, no FFI, no subprocess, no file writes).
 * Configured by environment: PAIRS (default BTC/USD,ETH/USD), WINDOW (1m), HORIZON (1),
 * MODELS_DIR (./models, deployed with the code), MAX_FEATURE_AGE (seconds), CORS_ORIGINS, and
 * ONLINE_KV, a KV Connect URL (a self-hosted denokv that ingest also writes to: Deploy does not expose
 * its own KV databases to writers outside it). Without ONLINE_KV it reads the app's Databases KV, or
 * DENO_KV_PATH, a local KV file, when it runs elsewhere. Deploy takes no --unstable-* flags: KV and raw
 * imports are enabled by deno.json's "unstable" list.
 */
import { isWindow } from "../domain/candle.ts";
import { normalisePair } from "../domain/pair.ts";
import { KvFeatureStore } from "../stores/online_kv.ts";
import { buildServer } from "./server.ts";

const env = (name: string, fallback?: string) => Deno.env.get(name) ?? fallback;
const pairs = env("PAIRS", "BTC/USD,ETH/USD")!.split(",").map((p) => {
  const pair = normalisePair(p);
  if (!pair) throw new Error(`PAIRS: '${p}' is not a pair`);
  return pair;
});
const window = env("WINDOW", "1m")!;
if (!isWindow(window)) throw new Error(`WINDOW: '${window}' is not a window`);
const horizon = Number(env("HORIZON", "1"));
if (!Number.isInteger(horizon) || horizon < 1) {
  throw new Error(`HORIZON: '${env("HORIZON")}' is not a whole number ≥ 1`);
}
const maxAge = env("MAX_FEATURE_AGE");

const online = await KvFeatureStore.open(env("ONLINE_KV") || env("DENO_KV_PATH"));
const { app } = await buildServer({
  online,
  modelsDir: env("MODELS_DIR", "./models")!,
  pairs,
  window,
  horizon,
  maxFeatureAgeS: maxAge === undefined ? undefined : Number(maxAge),
  corsOrigins: env("CORS_ORIGINS")?.split(",").filter(Boolean),
  modelRefreshMs: 30_000,
  signal: new AbortController().signal,
});

Deno.serve({ port: Number(env("PORT", "8000")) }, app.fetch);
