/**
 * `deno task news:distill --data FILE.jsonl[,FILE2.jsonl.gz]`: trains the compact headline
 * classifier on teacher labels (several teachers' habits reconciled, see
 * src/news_model/teacher_data.ts) and writes it as a transformers.js model directory (`--out`),
 * with a held-out report against the lexicon and majority baselines. The model is kept only if
 * it beats both (unless `--keep-worse`); exit status 1 otherwise.
 */
import { checkInputFile, distillConfig } from "../src/config.ts";
import { distillReportText, habitLine } from "../src/jobs/distill_table.ts";
import { DEFAULT_DISTILL, distill } from "../src/news_model/distill.ts";
import { readTeacherData } from "../src/news_model/teacher_data.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("news:distill", async () => {
  const cfg = distillConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const log = logger("distill");
  // A missing or unreadable file is a bad --data (exit 2), as for news:eval, not a failure of the run.
  for (const path of cfg.data) await checkInputFile("data", path);
  const data = await readTeacherData(cfg.data);
  log.info(
    `${data.examples.length} (headline, coin) examples from ${data.lines} lines` +
      (data.teachers.length ? ` labelled by ${data.teachers.join(", ")}` : "") +
      (data.noCoin ? `; ${data.noCoin} headlines concern no coin` : ""),
  );
  for (const h of data.habits) log.info(habitLine(h));
  if (data.skipped) log.warn(`${data.skipped} unreadable lines skipped, e.g. ${data.reasons.join("; ")}`);
  const report = await distill(data, cfg.out, {
    ...DEFAULT_DISTILL,
    testFraction: cfg.testFraction,
    minCount: cfg.minCount,
    bigramMinCount: cfg.bigramMinCount,
    negationWindow: cfg.negationWindow,
    numberShapes: !cfg.keepDigits,
    epochs: cfg.epochs,
    keepWorse: cfg.keepWorse,
    onProgress: (step) => log.info(step),
  });
  console.log(distillReportText(report, cfg.json));
  if (!report.kept) {
    log.error(`the distilled model does not beat both baselines on accuracy and macro-F1; nothing written`);
    return 1;
  }
  const why = report.beats_baselines ? "beats both baselines" : "kept with --keep-worse";
  log.info(
    `${why}; written to ${cfg.out} (${report.size_bytes} bytes; load it with --news-model ${cfg.out})`,
  );
  return 0;
});
