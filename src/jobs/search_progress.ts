/**
 * What a model search shows while it runs (`train`, `backtest`): a progress line of the settings
 * tried and the best validation score so far, broken by each step's log line.
 */
import type { Trial } from "../model/search.ts";
import type { Logger } from "../util/log.ts";
import { Progress } from "../util/progress.ts";

export interface SearchProgress {
  onStep(message: string): void;
  onTrial(done: number, total: number, trial: Trial): void;
  /** Ends the progress line. */
  done(): void;
}

export function searchProgress(log: Logger): SearchProgress {
  const progress = new Progress("search", log);
  const started = performance.now();
  return {
    onStep(message) {
      progress.done();
      log.info(message);
    },
    onTrial(done, total, t) {
      progress.update({
        fraction: done / total,
        detail: `${done}/${total} settings · best so far ${t.score.toExponential(3)}`,
        rate: done / ((performance.now() - started) / 1000),
      }, done === total);
    },
    done: () => progress.done(),
  };
}
