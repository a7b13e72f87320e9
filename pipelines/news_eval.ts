/**
 * `deno task news:eval --data LABELLED.jsonl --news-model M [--split heldout] [--json]`: scores
 * any news model (a distilled directory, a hub model, an LLM, or the lexicon) on teacher-labelled
 * headlines beside the lexicon and majority baselines, with seeded bootstrap intervals of its
 * gains (src/jobs/news_eval_job.ts).
 */
import { evalConfig } from "../src/config.ts";
import { evaluateNews } from "../src/jobs/news_eval_job.ts";
import { evalReportText } from "../src/jobs/news_eval_table.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("news:eval", async () => {
  const cfg = evalConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const report = await evaluateNews(cfg, logger("news:eval"));
  console.log(evalReportText(report, cfg.json));
});
