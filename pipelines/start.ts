/**
 * `deno task start`: the whole system in one process against Kraken (see src/system/system.ts).
 * Cold start loads `--history` through REST, trains the first model and serves; warm start
 * continues from the checkpoint. A data dir that holds another market (the simulator, a replayed
 * file) is refused. Ctrl-C or SIGTERM stops it cleanly.
 */
import { startConfig } from "../src/config.ts";
import { exchangeMarket } from "../src/stores/market_file.ts";
import { runSystem } from "../src/system/system.ts";
import { runTask } from "../src/util/cli.ts";
import { setLogLevel } from "../src/util/log.ts";

await runTask("start", async ({ signal }) => {
  const cfg = startConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  await runSystem({
    ...cfg,
    minRowsToTrain: cfg.minRows,
    loop: cfg,
    market: exchangeMarket(cfg.restUrl, cfg.wsUrl),
  }, signal);
  return 0;
});
