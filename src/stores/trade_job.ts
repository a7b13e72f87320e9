/**
 * Opening a trade job's checkpoint and record file together, so they agree: the record is cut
 * back to the length the checkpoint saw, and resuming starts right after the last trade written.
 */
import { resolve } from "node:path";
import { ConfigError } from "../config/config_error.ts";
import type { Logger } from "../util/log.ts";
import { CheckpointFile, jobFileName, type TradeCheckpoint } from "./checkpoint_file.ts";
import { TradeRecorder } from "./trade_recorder.ts";
import { type FeatureState, initialFeatureState } from "../transforms/features.ts";
import type { Window } from "../domain/candle.ts";

export interface TradeJob {
  checkpoint: CheckpointFile;
  state: TradeCheckpoint;
  /** True when the state came from disk. */
  resumed: boolean;
  recorder: TradeRecorder | undefined;
}

export async function openTradeJob(
  dataDir: string,
  job: string,
  recordPath: string | undefined,
  log: Logger,
  restart = false,
): Promise<TradeJob> {
  const checkpoint = new CheckpointFile(`${dataDir}/checkpoints/${jobFileName(job)}.json`);
  const saved = restart ? null : await checkpoint.load();
  const state: TradeCheckpoint = saved ??
    { version: 1, job, pairs: {}, updated_at: new Date().toISOString() };
  let recorder: TradeRecorder | undefined;
  if (recordPath !== undefined) {
    const path = resolve(recordPath);
    const known = saved?.record?.path === path ? saved.record.bytes : undefined;
    const opened = await TradeRecorder.open(path, restart ? 0 : known);
    recorder = opened.recorder;
    if (opened.trimmed > 0) {
      log.warn(
        `${path}: removed ${opened.trimmed} bytes written after the last checkpoint (they will be fetched again)`,
      );
    }
    if (saved && known === undefined && recorder.bytes > 0) {
      log.warn(`${path} already holds ${recorder.bytes} bytes not made by this job; appending`);
    }
  }
  if (saved === null) {
    // Saved before any trade, so a kill before the first flush still finds the record's length.
    if (recorder) state.record = { path: recorder.path, bytes: recorder.bytes };
    await checkpoint.save(state);
  }
  return { checkpoint, state, resumed: saved !== null, recorder };
}

/**
 * The feature state of a job: restored from its checkpoint, so candles and indicators continue
 * the same series, or new. A checkpoint made with other windows or grace cannot be continued.
 */
export function restoreFeatures(job: TradeJob, windows: readonly Window[], graceMs: number): FeatureState {
  const saved = job.state.features;
  if (saved === undefined) return initialFeatureState({ windows, graceMs });
  const c = saved.candles;
  if (c.windows.join(",") !== windows.join(",") || c.graceMs !== graceMs) {
    throw new ConfigError(
      `${job.checkpoint.path} was made with --windows ${c.windows.join(",")} --grace ${c.graceMs / 1000}; ` +
        `run with the same, or use another --data-dir`,
    );
  }
  // A copy: the stages advance it while the checkpoint keeps describing what was written.
  return structuredClone(saved);
}

/** The last trade id of each pair the job wrote: where `dedupe()` continues. */
export function lastTradeIds(state: TradeCheckpoint): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [pair, p] of Object.entries(state.pairs)) if (p.trade_id !== null) out[pair] = p.trade_id;
  return out;
}
