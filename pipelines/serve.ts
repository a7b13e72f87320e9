/**
 * `deno task serve`: the prediction API and the dashboard, over the online store of `--data-dir`
 * and the registry in `--models-dir`. Reads only: predictions are made where candles close
 * (`ingest`, `start`). Needs no subprocess, no FFI and writes nothing outside the data dir.
 */
import { serveConfig, usage } from "../src/config.ts";
import { buildServer } from "../src/serve/server.ts";
import { KvFeatureStore, onlineKvPath } from "../src/stores/online_kv.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("serve", async ({ signal }) => {
  const cfg = serveConfig(Deno.args);
  if (cfg.help) {
    console.log(usage("serve"));
    return 0;
  }
  setLogLevel(cfg.logLevel);
  const log = logger("serve");
  await Deno.mkdir(cfg.dataDir, { recursive: true });
  const online = await KvFeatureStore.open(onlineKvPath(cfg.dataDir));
  try {
    const { app } = await buildServer({ ...cfg, online, signal });
    const server = Deno.serve({
      port: cfg.port,
      hostname: cfg.host,
      signal,
      onListen: ({ port }) => {
        const host = cfg.host === "0.0.0.0" ? "localhost" : cfg.host;
        log.info(
          `dashboard at http://${host}:${port}/ · API: /predict?pair=${
            cfg.pairs[0]
          } /health /metrics /models /predictions`,
        );
      },
    }, app.fetch);
    await server.finished;
  } finally {
    online.close();
  }
});
