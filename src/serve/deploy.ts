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
import { ConfigError } from "../config/config_error.ts";
import { type DeployConfig, deployConfig } from "../config/deploy.ts";
import { KvFeatureStore } from "../stores/online_kv.ts";
import { buildServer } from "./server.ts";

/**
 * The settings, or undefined once a bad one is reported: one line and status 2, as a task's bad
 * flag, rather than an uncaught error's stack.
 */
function settings(): DeployConfig | undefined {
  try {
    return deployConfig((name) => Deno.env.get(name));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`error: ${e.message}`);
    Deno.exitCode = 2;
    return undefined;
  }
}

/** The online store, or undefined once its failure to open (a path the entry may not read, say) is reported. */
async function openOnline(path: string | undefined): Promise<KvFeatureStore | undefined> {
  try {
    return await KvFeatureStore.open(path);
  } catch (e) {
    const which = path === undefined ? "the app's KV" : `'${path}' (ONLINE_KV or DENO_KV_PATH)`;
    console.error(`error: cannot open the online store ${which}: ${(e as Error).message}`);
    Deno.exitCode = 1;
    return undefined;
  }
}

const cfg = settings();
const online = cfg && await openOnline(cfg.onlineKv);
if (cfg && online) {
  const { app } = await buildServer({
    ...cfg,
    online,
    modelRefreshMs: 30_000,
    signal: new AbortController().signal,
  });
  Deno.serve({ port: cfg.port }, app.fetch);
}
