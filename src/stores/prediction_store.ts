/**
 * Predictions in Deno KV: every prediction by (pair, window, made_at), kept for a week, the
 * running sums of live errors and interval coverage, and what the intervals of each model version
 * have learnt from live closes (`online_intervals.ts`), all updated in the same atomic operation
 * that fills in a realised close (so a repeated fill cannot count twice). The serving side reads
 * only this, so it also runs on Deno Deploy.
 */
import type { PredictionStore } from "../domain/ports.ts";
import {
  addRealised,
  type LiveErrors,
  liveErrorsOf,
  type LiveIntervalState,
  type LiveSums,
  type Prediction,
} from "../domain/prediction.ts";
import { observeRealised } from "../model/online_intervals.ts";

const KEEP_MS = 7 * 24 * 3_600_000;

const intervalsKey = (
  pair: string,
  window: string,
  version: string,
) => ["pred_intervals", pair, window, version];

export class KvPredictionStore implements PredictionStore {
  constructor(readonly kv: Deno.Kv) {}

  /** Keeps a prediction; one already made at that time stays (a replayed row predicts nothing new). */
  async put(p: Prediction): Promise<boolean> {
    const key = ["pred", p.pair, p.window, p.made_at];
    const res = await this.kv.atomic().check({ key, versionstamp: null }).set(key, p, { expireIn: KEEP_MS })
      .commit();
    return res.ok;
  }

  /** The prediction made at `madeAt`, if any. */
  async get(pair: string, window: string, madeAt: number): Promise<Prediction | null> {
    return (await this.kv.get<Prediction>(["pred", pair, window, madeAt])).value;
  }

  /** Fills in the realised close of the prediction made at `madeAt`; null when there is none to fill. */
  async realise(pair: string, window: string, madeAt: number, close: number): Promise<Prediction | null> {
    const key = ["pred", pair, window, madeAt];
    const statsKey = ["pred_stats", pair, window];
    for (;;) {
      const [pred, stats] = await this.kv.getMany<[Prediction, LiveSums]>([key, statsKey]);
      if (!pred.value || pred.value.realised_close !== null) return null;
      const next = addRealised(stats.value, pred.value, close);
      const realised = { ...pred.value, realised_close: close };
      const op = this.kv.atomic().check(pred, stats)
        .set(key, realised, { expireIn: KEEP_MS })
        .set(statsKey, next);
      const version = pred.value.model.version;
      if (version !== null && pred.value.interval_scale) {
        const learnt = await this.kv.get<LiveIntervalState>(intervalsKey(pair, window, version));
        const state = observeRealised(learnt.value, pred.value, close);
        if (state) op.check(learnt).set(learnt.key, state, { expireIn: KEEP_MS });
      }
      const res = await op.commit();
      if (res.ok) return realised;
    }
  }

  /** The newest `limit` predictions, newest first. */
  async recent(pair: string, window: string, limit: number): Promise<Prediction[]> {
    const out: Prediction[] = [];
    for await (
      const e of this.kv.list<Prediction>({ prefix: ["pred", pair, window] }, { reverse: true, limit })
    ) {
      out.push(e.value);
    }
    return out;
  }

  /** What the intervals of `version` have learnt from live closes of the series; null before the first. */
  async intervalState(pair: string, window: string, version: string): Promise<LiveIntervalState | null> {
    return (await this.kv.get<LiveIntervalState>(intervalsKey(pair, window, version))).value;
  }

  async liveErrors(pair: string, window: string): Promise<LiveErrors> {
    return liveErrorsOf((await this.kv.get<LiveSums>(["pred_stats", pair, window])).value);
  }
}
