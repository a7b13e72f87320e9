/**
 * `deno task features export|tail`: reading the offline store.
 * - `export --pair P --window W [--from T --to T] --format csv|jsonl --out PATH`: one row per candle.
 * - `tail --pair P [--window W] [--n N]`: the newest rows, and the online store's latest.
 */
import { checkDirFlag, ConfigError, exportConfig, tailConfig, usage } from "../src/config.ts";
import { exportFeatures } from "../src/jobs/feature_export_job.ts";
import { tailFeatures } from "../src/jobs/feature_tail_job.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

const [command, ...args] = Deno.args;

await runTask("features", async ({ signal }) => {
  if (command === "export") {
    const cfg = exportConfig(args);
    setLogLevel(cfg.logLevel);
    await checkDirFlag("data-dir", cfg.dataDir);
    return await exportFeatures(cfg, logger("features"), signal);
  }
  if (command === "tail") {
    const cfg = tailConfig(args);
    setLogLevel(cfg.logLevel);
    await checkDirFlag("data-dir", cfg.dataDir);
    return await tailFeatures(cfg, logger("features"), signal);
  }
  if (command === undefined) {
    console.log(usage("features"));
    return 0;
  }
  throw new ConfigError(`unknown command '${command}' (export or tail)`);
});
