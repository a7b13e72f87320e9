/**
 * `deno task train --pair P --window W --horizon N`: a price model from the offline store,
 * evaluated walk-forward against the naive and SMA baselines, exported to ONNX and registered;
 * promoted only if it beats naive and the promoted model on the same folds. Prints a per-fold
 * table and the decision, or with `--json` the report on stdout.
 */
import { checkDirFlag, trainConfig } from "../src/config.ts";
import { trainFromStore } from "../src/jobs/train_job.ts";
import { trainReportText } from "../src/jobs/train_table.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("train", async () => {
  const cfg = trainConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const log = logger("train");
  await checkDirFlag("data-dir", cfg.dataDir);
  await checkDirFlag("models-dir", cfg.modelsDir);
  const report = await trainFromStore(cfg, log);
  console.log(trainReportText(report, cfg.json));
  log.info(
    `registered ${cfg.modelsDir}/${report.name}/${report.version} (model.onnx, card.json, predictions.csv)`,
  );
  return 0;
});
