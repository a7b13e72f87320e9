/**
 * `deno task news`: headlines to per-coin signals in both stores. From the CryptoPanic
 * API (token from CRYPTOPANIC_TOKEN; backfill through `next` on the first poll, then a poll
 * every `--poll` seconds, deduplicated across restarts), or from a history file (`--file`).
 * Each batch is classified in-process by a transformers.js model (`--news-model`), written,
 * and only then marked as seen, so a crash repeats a batch rather than losing it.
 */
import { checkInputFile, newsConfig } from "../src/config.ts";
import type { NewsItem } from "../src/domain/news.ts";
import { isoTime } from "../src/domain/time.ts";
import { loadNewsClassifier } from "../src/news_model/classifier.ts";
import { CryptoPanic } from "../src/sources/cryptopanic/client.ts";
import { cryptoPanicNews } from "../src/sources/cryptopanic/news_stream.ts";
import { DamagedFileError } from "../src/sources/files/gunzip.ts";
import { newsFile } from "../src/sources/files/news_file.ts";
import { openFeatureStores } from "../src/stores/feature_stores.ts";
import { SeenIds } from "../src/stores/seen_ids.ts";
import { NewsSignalStream } from "../src/transforms/news_signals.ts";
import { BatchStream } from "../src/util/batches.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";
import { Progress } from "../src/util/progress.ts";

await runTask("news", async ({ signal }) => {
  const cfg = newsConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const log = logger("news");
  await Deno.mkdir(cfg.dataDir, { recursive: true });
  // A file is read whole before the model loads, so a bad one fails at once.
  const file = cfg.file === undefined ? undefined : await readNewsFile(cfg.file, cfg.skipBadLines);

  const started = performance.now();
  const classifier = await loadNewsClassifier(cfg.newsModel, { cacheDir: `${cfg.dataDir}/hf-cache` });
  log.info(`news model ${classifier.name} loaded in ${Math.round(performance.now() - started)} ms`);
  const stores = await openFeatureStores(cfg.dataDir);
  let seen: SeenIds | undefined;
  try {
    let items: ReadableStream<NewsItem>;
    let total: number | undefined;
    if (file !== undefined) {
      items = file.stream;
      total = file.stats.items;
      log.info(
        `${cfg.file}: ${file.stats.items} headlines (${file.stats.shape}` +
          `${file.stats.duplicates ? `, ${file.stats.duplicates} repeated ids dropped` : ""}` +
          `${file.stats.bad ? `, ${file.stats.bad} bad entries skipped` : ""})`,
      );
    } else {
      seen = await SeenIds.open(`${cfg.dataDir}/news_seen.json`);
      const client = new CryptoPanic({
        baseUrl: cfg.apiUrl,
        token: cfg.token!,
        currencies: cfg.currencies,
        rate: cfg.apiRate,
        log: logger("cryptopanic"),
      });
      log.info(`polling ${cfg.apiUrl} every ${cfg.pollMs / 1000}s (${seen.size} posts already seen)`);
      items = cryptoPanicNews({
        client,
        seen,
        intervalMs: cfg.pollMs,
        backfillPages: cfg.backfillPages,
        signal,
        log: logger("cryptopanic"),
      });
    }

    const totals = { headlines: 0, signals: 0, bearish: 0, neutral: 0, bullish: 0 };
    const coins = new Map<string, number>();
    const progress = new Progress("classifying", log);
    const batches = items
      .pipeThrough(new BatchStream<NewsItem>(cfg.batch, 250))
      .pipeThrough(new NewsSignalStream(classifier));
    for await (const batch of batches) {
      await stores.putSignals(batch.signals);
      await seen?.save();
      totals.headlines += batch.items.length;
      totals.signals += batch.signals.length;
      for (const s of batch.signals) {
        totals[s.signal === 1 ? "bullish" : s.signal === -1 ? "bearish" : "neutral"]++;
        coins.set(s.coin, (coins.get(s.coin) ?? 0) + 1);
      }
      const last = batch.items.at(-1)!;
      const detail = `${totals.headlines} headlines → ${totals.signals} signals (+1: ${totals.bullish}, ` +
        `0: ${totals.neutral}, -1: ${totals.bearish}) · up to ${isoTime(last.published_at)}`;
      const rate = totals.headlines / Math.max(0.001, (performance.now() - started) / 1000);
      // Live polls are rare and worth a line each; a file is a bar.
      if (total === undefined) log.info(detail);
      else progress.update({ fraction: totals.headlines / total, detail, rate });
      if (signal.aborted) break;
    }
    progress.done();
    const top = [...coins].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([c, n]) => `${c} ${n}`).join(", ");
    log.info(
      `done: ${totals.headlines} headlines, ${totals.signals} signals by ${classifier.name}` +
        (top ? ` (${top})` : "") + ` in ${cfg.dataDir}`,
    );
  } finally {
    await seen?.save();
    stores.close();
    await classifier.dispose();
  }
});

async function readNewsFile(path: string, skipBad: boolean): ReturnType<typeof newsFile> {
  await checkInputFile("file", path);
  try {
    return await newsFile(path, { skipBad });
  } catch (e) {
    if (e instanceof DamagedFileError) throw new Error(`--file: ${e.message}`, { cause: e });
    throw e;
  }
}
