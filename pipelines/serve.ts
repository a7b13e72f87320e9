/**
 * `deno task serve`: the prediction API and the dashboard, over the online store of `--data-dir`
 * and the registry in `--models-dir`. Reads only: predictions are made where candles close
 * (`ingest`, `start`). Needs no subprocess, no FFI and writes nothing outside the data dir.
 */
import { ConfigError, serveConfig } from "../src/config.ts";
import { dirsOutsidePermissions } from "../src/serve/dir_permissions.ts";
import { listen } from "../src/serve/http_listener.ts";
import { buildServer } from "../src/serve/server.ts";
import { KvFeatureStore, onlineKvPath } from "../src/stores/online_kv.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("serve", async ({ signal }) => {
  const cfg = serveConfig(Deno.args);
  const outside = dirsOutsidePermissions(cfg, Deno.args);
  if (outside !== undefined) throw new ConfigError(outside);
  setLogLevel(cfg.logLevel);
  const log = logger("serve");
  await Deno.mkdir(cfg.dataDir, { recursive: true });
  const online = await KvFeatureStore.open(onlineKvPath(cfg.dataDir));
  try {
    const { app, metrics } = await buildServer({ ...cfg, online, signal });
    const server = await listen(app.fetch, {
      port: cfg.port,
      hostname: cfg.host,
      signal,
      onOwnAnswer: (status) => metrics.serverAnswer(status),
      onTimeout: (kind) => metrics.timedOut(kind),
      onListen: ({ port }) => {
        const host = cfg.host === "0.0.0.0" ? "localhost" : cfg.host;
        log.info(
          `dashboard at http://${host}:${port}/ · API: /predict?pair=${
            cfg.pairs[0]
          } /health /metrics /models /predictions`,
        );
      },
    });
    await server.finished;
  } finally {
    online.close();
  }
});
