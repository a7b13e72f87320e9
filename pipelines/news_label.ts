/**
 * `deno task news:label --file HEADLINES --news-model ollama:llama3.2 --out labels.jsonl`: labels
 * headlines with an LLM teacher (Ollama, or an OpenAI-compatible server with `openai:MODEL`)
 * into the instruction-dataset JSONL `news:distill` trains on. Resumable: ids already in `--out`
 * are skipped. Exit status 130 when interrupted, else 0 (failed headlines are counted and
 * recorded in `--errors`).
 */
import { labelConfig } from "../src/config.ts";
import { labelNews } from "../src/jobs/news_label_job.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("news:label", async ({ signal }) => {
  const cfg = labelConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const summary = await labelNews(cfg, logger("news:label"), signal);
  return summary.interrupted ? 130 : 0;
});
