/**
 * `deno task bus status`: per consumer stage and partition on the Kafka bus, the committed offset,
 * the log end offset, lag, the state topic's latest offset and the last checkpoint time; `--json`
 * for tools. Exits 1 when the cluster does not answer within `--bus-deadline`.
 */
import { ConfigError, usage } from "../src/config.ts";
import { busStatusConfig } from "../src/config/bus_status.ts";
import { busStatus } from "../src/jobs/bus_status_job.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

const [command, ...args] = Deno.args;

await runTask("bus", async ({ signal }) => {
  if (command === "status") {
    const cfg = busStatusConfig(args);
    setLogLevel(cfg.logLevel);
    return await busStatus(cfg, logger("bus"), signal);
  }
  if (command === undefined) {
    console.log(usage("bus"));
    return 0;
  }
  throw new ConfigError(`unknown command '${command}' (status)`);
});
