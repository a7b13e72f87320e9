/**
 * `deno task serve`: the prediction API and the dashboard, over the online store of `--data-dir`
 * and the registry in `--models-dir`. Reads only: predictions are made where candles close
 * (`ingest`, `start`, or over Kafka the predict stage, whose data dir this then serves). Needs no
 * subprocess, no FFI and writes nothing outside the data dir. With `--bus kafka`, `/metrics` also
 * shows where each stage on the bus stands, read in the background (src/serve/bus_metrics.ts).
 */
import { ConfigError, serveConfig } from "../src/config.ts";
import { brokersOutsidePermissions } from "../src/serve/broker_permissions.ts";
import { BusStatusPoller } from "../src/serve/bus_metrics.ts";
import { dirsOutsidePermissions, hostOutsidePermissions } from "../src/serve/dir_permissions.ts";
import { listen } from "../src/serve/http_listener.ts";
import { buildServer } from "../src/serve/server.ts";
import { KvFeatureStore, onlineKvPath } from "../src/stores/online_kv.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("serve", async ({ signal }) => {
  const cfg = serveConfig(Deno.args);
  // First: its command also allows the directories, so it is the one to paste when both fail.
  const unreachable = cfg.bus === "kafka" ? brokersOutsidePermissions(cfg, Deno.args) : undefined;
  if (unreachable !== undefined) throw new ConfigError(unreachable);
  const outside = dirsOutsidePermissions(cfg, Deno.args) ?? hostOutsidePermissions(cfg, Deno.args);
  if (outside !== undefined) throw new ConfigError(outside);
  setLogLevel(cfg.logLevel);
  const log = logger("serve");
  await Deno.mkdir(cfg.dataDir, { recursive: true });
  const online = await KvFeatureStore.open(onlineKvPath(cfg.dataDir));
  try {
    let bus: BusStatusPoller | undefined;
    if (cfg.bus === "kafka") {
      // Loaded only here: without --bus, serve never loads the Kafka client.
      const { readStageStatus } = await import("../src/bus/stage_status.ts");
      const busLog = logger("bus");
      // The client's retries and connection errors of each read: the poller logs an outage once.
      const quiet = { debug: busLog.debug, info: busLog.debug, warn: busLog.debug, error: busLog.debug };
      bus = new BusStatusPoller(
        (previous) =>
          readStageStatus({
            brokers: cfg.brokers,
            topicPrefix: cfg.topicPrefix,
            dataDir: cfg.dataDir,
            deadlineMs: cfg.busDeadlineMs,
            log: quiet,
            signal,
            previous,
          }),
        { refreshMs: cfg.busRefreshMs, log: busLog, signal },
      );
      void bus.start();
      busLog.info(
        `/metrics shows the stages under the prefix '${cfg.topicPrefix}' on ${cfg.brokers.join(",")}, ` +
          `read every ${cfg.busRefreshMs / 1000} s`,
      );
    }
    const { app, metrics } = await buildServer({
      ...cfg,
      online,
      signal,
      extraGauges: bus && (() => bus.lines()),
    });
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
    metrics.watchTimeouts(server.timeouts);
    await server.finished;
  } finally {
    online.close();
  }
});
