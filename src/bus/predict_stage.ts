/**
 * The predict stage over the bus: feature rows from `features` through the promoted model of each
 * tracked (pair, window) into both stores and the `predictions` topic, per partition:
 *
 * ```ts
 * slices.pipeThrough(dedupeRows(state.lastStart))
 *   .pipeThrough(predict(live, { includes: (row) => liveRows.includes(row), keep: PREDICT_SLICE }))
 *   .pipeTo(publish(producer, topics.predictions, predictionMessages, saved, stores, live));
 * ```
 *
 * `predict()` and `LivePredictions` are the embedded path's (src/system/system.ts), so a row gets
 * the same prediction and realises the same close either way. What differs is how a row counts as
 * live. The embedded path predicts the rows that close after its source turned live; this stage
 * cannot see the source, so it is told when: a row is live when its window closes after `from`
 * (`--predict-from`; by default the moment the stage process started, which on a live market are
 * the rows that close from then on). It is `LiveRows` with the source live since `from`.
 *
 * The stage keeps its own stores: the model reads its input from the online store, as /predict
 * does, so every row read is upserted into both stores before the predictions made at it, and the
 * stage's data dir serves on its own. Its checkpointed state is each series' last window start: a
 * row at or before it is a redelivery (the features stage sending a slice again after a crash) and
 * is dropped before it could be predicted twice.
 *
 * A slice holds at most {@linkcode PREDICT_SLICE} rows and `predict()` keeps as many per series, so
 * each row of a slice, backlog or not, reads itself from the rows on their way to the stores (its
 * default of 64 is sized for the embedded path's live batches, a few rows each).
 */
import type { Window } from "../domain/candle.ts";
import { isoTime } from "../domain/time.ts";
import { ConfigError } from "../config/config_error.ts";
import type { LivePredictions } from "../serve/live_predictions.ts";
import { livePredictions } from "../serve/live_setup.ts";
import type { Batch } from "../stages/batch.ts";
import { predict, type RowForecaster } from "../stages/predict.ts";
import type { FeatureStores } from "../stores/feature_stores.ts";
import { LiveRows } from "../system/live_rows.ts";
import type { Logger } from "../util/log.ts";
import type { Bus } from "./bus.ts";
import { encode } from "./codec.ts";
import { runStage, type StageRun, type StageSpec } from "./consumer_stage.ts";
import type { BusProducer, OutMessage } from "./producer.ts";
import { publish } from "./stages.ts";
import type { Topics } from "./topics.ts";

/** Most feature rows in a slice of the predict stage, and rows kept per series for the model to read. */
export const PREDICT_SLICE = 500;

/** What the predict stage predicts: `ingest`'s flags. */
export interface PredictSettings {
  pairs: readonly string[];
  windows: readonly Window[];
  predictWindow: Window;
  horizon: number;
  modelsDir: string;
  /** Rows that close after this time get predictions, epoch ms. @default when the stage starts */
  predictFrom?: number | undefined;
}

/** The settings of a task that can run the predict stage; a ConfigError for one that cannot. */
export function predictSettings(cfg: Partial<PredictSettings>): PredictSettings {
  const { pairs, windows, predictWindow, horizon, modelsDir } = cfg;
  if (!pairs?.length || !windows || !predictWindow || !horizon || !modelsDir) {
    throw new ConfigError(
      "--stage predict runs under `deno task ingest` (--pairs, --predict-window, --horizon)",
    );
  }
  return { pairs, windows, predictWindow, horizon, modelsDir, predictFrom: cfg.predictFrom };
}

export interface PredictStageState {
  /** The last window start per `PAIR|WINDOW`. */
  lastStart: Record<string, number>;
}

/**
 * Batches of feature rows (`rows`) → the same batches without the rows at or before their series'
 * last start, and a copy of the last start per `PAIR|WINDOW` (`state.lastStart`).
 *
 * @param lastStart where to start from (a checkpoint's); not modified
 */
export function dedupeRows(lastStart: Record<string, number> = {}): TransformStream<Batch, Batch> {
  const last = { ...lastStart };
  return new TransformStream<Batch, Batch>({
    transform(batch, controller) {
      batch.rows = batch.rows.filter((r) => {
        const key = `${r.pair}|${r.window}`;
        const seen = last[key];
        if (seen !== undefined && r.window_start <= seen) return false;
        last[key] = r.window_start;
        return true;
      });
      batch.state.lastStart = { ...last };
      controller.enqueue(batch);
    },
  });
}

const predictionMessages = (batch: Batch): OutMessage[] =>
  batch.forecasts.flatMap(({ prediction }) =>
    prediction ? [{ key: prediction.pair, value: encode({ type: "prediction", data: prediction }) }] : []
  );

export function predictStage(
  topics: Topics,
  groupPrefix: string,
  deps: {
    forecaster: RowForecaster & { write: LivePredictions["write"] };
    /** Rows that close after this time are predicted, epoch ms. */
    from: number;
    stores: Pick<FeatureStores, "upsert">;
    producer: BusProducer;
  },
): StageSpec<PredictStageState> {
  const { forecaster, stores, producer } = deps;
  // The source counts as live since `from`: LiveRows then includes the rows closing after it.
  const live = new LiveRows(() => true, () => deps.from);
  return {
    name: "predict",
    groupId: `${groupPrefix}predict-stage`,
    topic: topics.features,
    kind: "feature",
    initial: () => ({ lastStart: {} }),
    pipeline: (slices, state, saved) =>
      slices.pipeThrough(dedupeRows(state.lastStart))
        .pipeThrough(predict(forecaster, { includes: (row) => live.includes(row), keep: PREDICT_SLICE }))
        .pipeTo(publish(
          producer,
          topics.predictions,
          predictionMessages,
          (batch) => saved(batch, { lastStart: batch.state.lastStart ?? state.lastStart }),
          stores,
          forecaster,
        )),
  };
}

/**
 * Starts the predict stage on `stores` (opened on its data dir by the caller, who closes them after
 * `stop`): the promoted models of `settings.pairs` on the prediction window, the registry re-read
 * every 5 s, as `ingest` and `serve` do.
 */
export async function startPredictStage(
  bus: Bus,
  stores: FeatureStores,
  settings: PredictSettings,
  options: { dataDir: string; deadlineMs: number; log: Logger; signal?: AbortSignal | undefined },
): Promise<StageRun> {
  // The predictors watch the registry until this aborts: once the stage has stopped (on `stop()`,
  // or when the task's signal has ended it), so the slice in flight at Ctrl-C is still predicted by
  // the model rather than as "no model".
  const models = new AbortController();
  const stopModels = () => models.abort();
  const live = await livePredictions(settings, stores, models.signal);
  const from = settings.predictFrom ?? Date.now();
  options.log.info(
    `predict stage: ${settings.pairs.join(", ")} ${settings.predictWindow} h${settings.horizon}, ` +
      `for rows that close after ${isoTime(from)}`,
  );
  let run: StageRun;
  try {
    run = await runStage(
      bus.kafka,
      predictStage(bus.topics, bus.groupPrefix, { forecaster: live, from, stores, producer: bus.producer }),
      {
        dataDir: options.dataDir,
        dlq: bus.producer,
        sliceMessages: PREDICT_SLICE,
        deadlineMs: options.deadlineMs,
        log: options.log,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
  } catch (e) {
    stopModels();
    throw e;
  }
  run.done.then(stopModels, stopModels);
  let stopping: Promise<void> | undefined;
  return {
    name: run.name,
    stats: run.stats,
    done: run.done,
    stop: () =>
      stopping ??= (async () => {
        await run.stop();
        stopModels();
        options.log.info(
          `predict stage: ${live.made} predictions made, ${live.realised} realised, ${live.failures} failed`,
        );
      })(),
  };
}
