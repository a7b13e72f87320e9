/**
 * `deno task news`: headlines to per-coin signals in both stores. From the CryptoPanic
 * API (token from CRYPTOPANIC_TOKEN; backfill through `next` on the first poll, then a poll
 * every `--poll` seconds, deduplicated across restarts), or from a history file (`--file`).
 * Each batch is classified in-process by a transformers.js model (`--news-model`), written,
 * and only then marked as seen, so a crash repeats a batch rather than losing it
 * (src/jobs/news_job.ts).
 */
import { newsConfig } from "../src/config.ts";
import { classifyNews } from "../src/jobs/news_job.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("news", async ({ signal }) => {
  const cfg = newsConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  await classifyNews(cfg, logger("news"), signal);
});
