/**
 * `deno task start`: the whole system in one process against Kraken (see src/system/system.ts).
 * Cold start loads `--history` through REST, trains the first model and serves; warm start
 * continues from the checkpoint. Ctrl-C or SIGTERM stops it cleanly.
 */
import { startConfig, usage } from "../src/config.ts";
import { runSystem } from "../src/system/system.ts";
import { runTask } from "../src/util/cli.ts";
import { setLogLevel } from "../src/util/log.ts";

await runTask("start", async ({ signal }) => {
  const cfg = startConfig(Deno.args);
  if (cfg.help) {
    console.log(usage("start"));
    return 0;
  }
  setLogLevel(cfg.logLevel);
  await runSystem({
    ...cfg,
    minRowsToTrain: cfg.minRows,
    source: `Kraken (${cfg.wsUrl})`,
  }, signal);
  return 0;
});
