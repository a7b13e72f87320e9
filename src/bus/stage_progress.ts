/**
 * A consumer stage run on its own (`--stage candles|features|predict`) reads until Ctrl-C and says
 * nothing while it works: this logs a line per stage that consumed anything since the last one.
 */
import type { Logger } from "../util/log.ts";
import type { StageRun } from "./consumer_stage.ts";

/** Starts the lines every `everyMs`; call the returned function to stop them. */
export function reportStages(runs: readonly StageRun[], log: Logger, everyMs = 30_000): () => void {
  let seen = runs.map((r) => r.stats.messages);
  let since = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - since) / 1000);
    runs.forEach((r, i) => {
      const fresh = r.stats.messages - seen[i]!;
      if (fresh === 0) return;
      log.info(
        `${r.name} stage: ${r.stats.messages.toLocaleString("en-US")} messages consumed, ` +
          `${Math.round(fresh / seconds).toLocaleString("en-US")}/s over the last ${
            Math.round(seconds)
          } s; ` +
          `${r.stats.batches.toLocaleString("en-US")} slices committed` +
          (r.stats.skipped
            ? `, ${r.stats.skipped.toLocaleString("en-US")} redelivered messages skipped`
            : "") +
          (r.stats.dlq ? `, ${r.stats.dlq.toLocaleString("en-US")} to the DLQ` : ""),
      );
    });
    seen = runs.map((r) => r.stats.messages);
    since = now;
  }, everyMs);
  return () => clearInterval(timer);
}
