/**
 * `deno task backtest --pair P --window W --horizon N [--version V]`: the walk-forward
 * out-of-sample predictions of a series replayed as a trading rule with fees and slippage, per
 * fold and overall beside buy-and-hold and one-candle momentum; with `--version`, the result is
 * stored beside the version's card. Prints a table, or with `--json` the report on stdout.
 */
import { backtestConfig, checkDirFlag } from "../src/config.ts";
import { backtestFromStore } from "../src/jobs/backtest_job.ts";
import { backtestText } from "../src/jobs/backtest_table.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("backtest", async () => {
  const cfg = backtestConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  await checkDirFlag("data-dir", cfg.dataDir);
  await checkDirFlag("models-dir", cfg.modelsDir);
  const report = await backtestFromStore(cfg, logger("backtest"));
  console.log(backtestText(report, cfg.json));
  return 0;
});
