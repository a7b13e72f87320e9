/**
 * Predictions in Deno KV: every prediction by (pair, window, made_at), kept for a week, and the
 * running sums of live errors and interval coverage, updated in the same atomic operation that fills in a realised
 * close (so a repeated fill cannot count twice). The serving side reads only this, so it also
 * runs on Deno Deploy.
 */
import type { PredictionStore } from "../domain/ports.ts";
import {
  addRealised,
  type LiveErrors,
  liveErrorsOf,
  type LiveSums,
  type Prediction,
} from "../domain/prediction.ts";

const KEEP_MS = 7 * 24 * 3_600_000;

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
      const res = await this.kv.atomic().check(pred, stats)
        .set(key, realised, { expireIn: KEEP_MS })
        .set(statsKey, next)
        .commit();
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

  async liveErrors(pair: string, window: string): Promise<LiveErrors> {
    return liveErrorsOf((await this.kv.get<LiveSums>(["pred_stats", pair, window])).value);
  }
}
