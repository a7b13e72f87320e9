/**
 * Every task's flags and environment variables: declared per task under src/config/ with the flag
 * builder in src/config/flag.ts, the shared ones in src/config/shared.ts.
 */
export { ConfigError } from "./config/config_error.ts";
export { flag } from "./config/flag.ts";
export { denoEnv, type Env, type Parsed, parseFlags } from "./config/parse_flags.ts";
export { checkInputFile } from "./config/input_file.ts";
export { offlineStore } from "./config/offline_store.ts";
export { checkOutputDir } from "./config/output_dir.ts";
export { checkDirFlag } from "./config/dir_flag.ts";
export { checkNotAStore, checkOutputFile, sameFile } from "./config/output_file.ts";
export { usage } from "./config/usage.ts";
export {
  type BusConfig,
  type CommonConfig,
  type FeatureConfig,
  type Stage,
  STAGES,
} from "./config/shared.ts";
export { type IngestConfig, ingestConfig } from "./config/ingest.ts";
export { type BackfillConfig, backfillConfig, FILE_FORMATS, type FileFormat } from "./config/backfill.ts";
export { type SimConfig, simConfig } from "./config/sim.ts";
export { type ExportConfig, exportConfig, type TailConfig, tailConfig } from "./config/features.ts";
export { newsCommand, type NewsConfig, newsConfig } from "./config/news.ts";
export { type DistillConfig, distillConfig } from "./config/news_distill.ts";
export { type EvalConfig, evalConfig } from "./config/news_eval.ts";
export { type NewsExportConfig, newsExportConfig } from "./config/news_export.ts";
export { type LabelConfig, labelConfig } from "./config/news_label.ts";
export { MODEL_CHOICES, type TrainConfig, trainConfig } from "./config/train.ts";
export { type ModelsConfig, modelsConfig } from "./config/models.ts";
export { type BacktestConfig, backtestConfig } from "./config/backtest.ts";
export { type ServeConfig, serveConfig } from "./config/serve.ts";
export { type StartConfig, startConfig } from "./config/start.ts";
export { type DemoConfig, demoConfig } from "./config/demo.ts";
