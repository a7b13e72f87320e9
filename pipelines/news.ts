/**
 * `deno task news`: headlines to per-coin signals in both stores. From the CryptoPanic
 * API (token from CRYPTOPANIC_TOKEN; backfill through `next` on the first poll, then a poll
 * every `--poll` seconds, deduplicated across restarts), or from a history file (`--file`).
 * Each batch is classified in-process by a transformers.js model (`--news-model`), written,
 * and only then marked as seen, so a crash repeats a batch rather than losing it
 * (src/jobs/news_job.ts). With `--bus kafka` the same steps run as stages over Kafka
 * (`--stage headlines|signals|store|all`, src/jobs/news_bus_job.ts).
 *
 * `deno task news export --out FILE [--format csv|jsonl] [--from T --to T]` writes every
 * classified headline of the offline store instead (src/jobs/news_export_job.ts).
 */
import { newsCommand, newsConfig, newsExportConfig } from "../src/config.ts";
import { exportNews } from "../src/jobs/news_export_job.ts";
import { newsOverBus } from "../src/jobs/news_bus_job.ts";
import { classifyNews } from "../src/jobs/news_job.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("news", async ({ signal }) => {
  const [command, args] = newsCommand(Deno.args);
  if (command === "export") {
    const cfg = newsExportConfig(args);
    setLogLevel(cfg.logLevel);
    return await exportNews(cfg, logger("news"), signal);
  }
  const cfg = newsConfig(args);
  setLogLevel(cfg.logLevel);
  if (cfg.bus === "kafka") await newsOverBus(cfg, logger("news"), signal);
  else return await classifyNews(cfg, logger("news"), signal);
});
