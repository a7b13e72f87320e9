/**
 * What `news` says: the file it read, a line (or a progress bar's detail) per classified batch,
 * and the totals at the end. Pure: the caller logs the text.
 */
import type { NewsFileStats } from "../sources/files/news_file.ts";
import { isoTime } from "../domain/time.ts";
import type { ClassifiedBatch } from "../transforms/news_signals.ts";

/** The line saying what a news file held: its headlines, its shape and what was dropped. */
export function newsFileSummary(path: string, stats: NewsFileStats): string {
  return `${path}: ${stats.items} headlines (${stats.shape}` +
    `${stats.duplicates ? `, ${stats.duplicates} repeated ids dropped` : ""}` +
    `${stats.otherKinds ? `, ${stats.otherKinds} posts of another kind than news left out` : ""}` +
    `${stats.bad ? `, ${stats.bad} bad entries skipped` : ""})`;
}

/** Headlines and signals counted over the batches of a run, per signal and per coin. */
export class NewsTally {
  headlines = 0;
  signals = 0;
  bullish = 0;
  neutral = 0;
  bearish = 0;
  readonly #coins = new Map<string, number>();

  add(batch: ClassifiedBatch): void {
    this.headlines += batch.items.length;
    this.signals += batch.signals.length;
    for (const s of batch.signals) {
      this[s.signal === 1 ? "bullish" : s.signal === -1 ? "bearish" : "neutral"]++;
      this.#coins.set(s.coin, (this.#coins.get(s.coin) ?? 0) + 1);
    }
  }

  /** The counts so far, with the publication time (epoch ms) of the newest headline read. */
  detail(upTo: number): string {
    return `${this.headlines} headlines → ${this.signals} signals (+1: ${this.bullish}, ` +
      `0: ${this.neutral}, -1: ${this.bearish}) · up to ${isoTime(upTo)}`;
  }

  /** The last line of a file's run that Ctrl-C stopped: how far it got, and that a rerun is safe. */
  interrupted(total: number): string {
    return `interrupted after ${this.headlines} of ${total} headlines (${this.signals} signals written); ` +
      "the same command classifies the file again, to the same signals";
  }

  /** The last line: totals, the classifier and the eight coins with most signals (ties: first seen). */
  summary(model: string, dataDir: string): string {
    const top = [...this.#coins].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([c, n]) => `${c} ${n}`)
      .join(", ");
    return `done: ${this.headlines} headlines, ${this.signals} signals by ${model}` +
      (top ? ` (${top})` : "") + ` in ${dataDir}`;
  }
}
