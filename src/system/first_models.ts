/**
 * The trainer of `start` and `demo`: once the history is in, each series without a promoted model
 * gets one trained by the policy of ./training_policy.ts, in a Worker so the API and the ingest
 * keep going; a promoted model is loaded at once.
 */
import type { Window } from "../domain/candle.ts";
import type { FeatureHistory, WritableModelRegistry } from "../domain/ports.ts";
import { trainSeries } from "../registry/train_series.ts";
import { type Logger, logger } from "../util/log.ts";
import { FIRST_MODEL_TRAINING, firstModelDecision } from "./training_policy.ts";

/** A series' predictor as the trainer sees it. */
export interface TrainablePredictor {
  readonly pair: string;
  readonly current: unknown;
  refresh(): Promise<unknown>;
}

export interface FirstModelsOptions {
  predictors: readonly TrainablePredictor[];
  history: Pick<FeatureHistory, "counts" | "trainingRows" | "exportTrainingRows">;
  registry: WritableModelRegistry;
  window: Window;
  horizon: number;
  /** Warm rows a series needs before its first model is trained. */
  minRows: number;
  /** Trials of the hyperparameter search. */
  budget: number;
  log: Logger;
  /** Says what is being trained, for the status line. */
  onTraining: (detail: string) => void;
}

export class FirstModels {
  /** Per pair, the row count of its last attempt and, if that attempt failed, why. */
  #tried = new Map<string, { rows: number; failure?: string }>();
  #busy = false;

  constructor(readonly o: FirstModelsOptions) {}

  /** True while a model is being trained. */
  get busy(): boolean {
    return this.#busy;
  }

  /** True when every series has a model serving. */
  get complete(): boolean {
    return this.o.predictors.every((p) => p.current);
  }

  /**
   * Trains the series that are due, one after another; returns what the others wait for. Does
   * nothing while a previous call is still training.
   */
  async step(): Promise<string[]> {
    const { o } = this;
    if (this.#busy) return [];
    const waiting = o.predictors.filter((p) => !p.current);
    if (waiting.length === 0) return [];
    const counts = await o.history.counts();
    const notes: string[] = [];
    for (const p of waiting) {
      const rows = counts.find((c) => c.pair === p.pair && c.window === o.window)?.rows ?? 0;
      const last = this.#tried.get(p.pair);
      const decision = firstModelDecision(p.pair, rows, o.minRows, last?.rows, last?.failure);
      if (!decision.train) {
        notes.push(decision.why);
        continue;
      }
      this.#busy = true;
      o.onTraining(`${p.pair} ${o.window} on ${rows} candles`);
      try {
        const report = await trainSeries(o.history, { pair: p.pair, window: o.window, horizon: o.horizon }, {
          ...FIRST_MODEL_TRAINING,
          budget: o.budget,
          registry: o.registry,
          onStep: (m) => logger("train").info(m),
        });
        this.#tried.set(p.pair, { rows });
        o.log.info(
          `${p.pair}: ${report.version} ${
            report.promoted ? "promoted" : "not promoted"
          } (${report.reason}); ` +
            `skill ${(report.model.skill * 100).toFixed(2)}%`,
        );
        if (report.promoted) await p.refresh();
      } catch (e) {
        const failure = (e as Error).message;
        this.#tried.set(p.pair, { rows, failure });
        o.log.error(`${p.pair}: training failed: ${failure}`);
      } finally {
        this.#busy = false;
      }
    }
    return notes;
  }
}
