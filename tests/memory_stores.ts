/**
 * In-memory feature and prediction stores (the `OnlineFeatureStore`, `FeatureHistory` and
 * `PredictionStore` ports of src/domain/ports.ts), re-exported by ./memory_ports.ts.
 */
import { type Window, WINDOW_MS } from "../src/domain/candle.ts";
import type { FeatureRow, ModelRow, OtherPairs, TrainingRow } from "../src/domain/feature_row.ts";
import { NEWS_COLUMNS, NO_OTHER_PAIRS } from "../src/domain/feature_row.ts";
import type { FeatureHistory, OnlineFeatureStore, PredictionStore } from "../src/domain/ports.ts";
import {
  addRealised,
  type LiveErrors,
  liveErrorsOf,
  type LiveIntervalState,
  type LiveSums,
  type Prediction,
} from "../src/domain/prediction.ts";
import { withOthers } from "../src/model/features.ts";

const key = (pair: string, window: string) => `${pair}|${window}`;

/** No signal in any span, as the offline store answers for a coin without news. */
const NO_NEWS = Object.fromEntries(
  NEWS_COLUMNS.map((c) => [c, c === "news_minutes_since_signal" ? null : 0]),
);

/**
 * Feature rows per series, kept sorted by window start, as the online store and as the training
 * history; no news (every news column says "none").
 */
export class MemoryFeatureStore implements OnlineFeatureStore, Pick<FeatureHistory, "trainingRows"> {
  readonly series = new Map<string, FeatureRow[]>();
  /** Set to make every read fail with it. */
  failure: Error | null = null;

  upsert(rows: readonly FeatureRow[]): Promise<void> {
    for (const r of rows) {
      const list = this.series.get(key(r.pair, r.window)) ?? [];
      const at = list.findIndex((x) => x.window_start >= r.window_start);
      if (at === -1) list.push(r);
      else if (list[at]!.window_start === r.window_start) list[at] = r;
      else list.splice(at, 0, r);
      this.series.set(key(r.pair, r.window), list);
    }
    return Promise.resolve();
  }

  #rows(pair: string, window: Window): FeatureRow[] {
    if (this.failure) throw this.failure;
    return this.series.get(key(pair, window)) ?? [];
  }

  latest(pair: string, window: Window): Promise<FeatureRow | null> {
    return Promise.try(() => this.#rows(pair, window).at(-1) ?? null);
  }

  asOf(pair: string, window: Window, t: number): Promise<FeatureRow | null> {
    return Promise.try(() => this.#rows(pair, window).findLast((r) => r.window_end <= t) ?? null);
  }

  recent(pair: string, window: Window, limit: number): Promise<FeatureRow[]> {
    return Promise.try(() => this.#rows(pair, window).slice(-limit));
  }

  modelRow(
    pair: string,
    window: Window,
    others: OtherPairs = NO_OTHER_PAIRS,
    windowStart?: number,
  ): Promise<ModelRow | null> {
    return Promise.try(() => {
      const rows = this.#rows(pair, window);
      const row = windowStart === undefined ? rows.at(-1) : rows.find((r) => r.window_start === windowStart);
      if (!row) return null;
      return withOthers({ ...row, ...NO_NEWS } as ModelRow, others.pairs, this.#others(row, others));
    });
  }

  trainingRows(
    pair: string,
    window: Window,
    horizonMs: number,
    others: OtherPairs = NO_OTHER_PAIRS,
  ): Promise<TrainingRow[]> {
    return Promise.try(() => {
      const rows = this.#rows(pair, window);
      const at = new Map(rows.map((r) => [r.window_start, r]));
      const out: TrainingRow[] = [];
      for (const r of rows) {
        const target = at.get(r.window_start + horizonMs);
        if (!r.warm || !target) continue;
        const joined = withOthers({ ...r, ...NO_NEWS } as ModelRow, others.pairs, this.#others(r, others));
        out.push({ ...joined, target_close: target.close });
      }
      return out;
    });
  }

  /** The rows of `others.pairs` that `row` joins: each pair's row `others.lag` windows before its own. */
  #others(row: FeatureRow, others: OtherPairs): (FeatureRow | null)[] {
    const start = row.window_start - others.lag * WINDOW_MS[row.window];
    return others.pairs.map((p) => this.#rows(p, row.window).find((o) => o.window_start === start) ?? null);
  }

  close(): void {}
}

export class MemoryPredictionStore implements PredictionStore {
  readonly predictions = new Map<string, Prediction>();
  #sums = new Map<string, LiveSums>();

  put(p: Prediction): Promise<boolean> {
    const k = `${key(p.pair, p.window)}|${p.made_at}`;
    if (this.predictions.has(k)) return Promise.resolve(false);
    this.predictions.set(k, p);
    return Promise.resolve(true);
  }

  realise(pair: string, window: string, madeAt: number, close: number): Promise<Prediction | null> {
    const p = this.predictions.get(`${key(pair, window)}|${madeAt}`);
    if (!p || p.realised_close !== null) return Promise.resolve(null);
    this.#sums.set(key(pair, window), addRealised(this.#sums.get(key(pair, window)) ?? null, p, close));
    p.realised_close = close;
    return Promise.resolve(p);
  }

  recent(pair: string, window: string, limit: number): Promise<Prediction[]> {
    const mine = [...this.predictions.values()].filter((p) => p.pair === pair && p.window === window);
    return Promise.resolve(mine.sort((a, b) => b.made_at - a.made_at).slice(0, limit));
  }

  liveErrors(pair: string, window: string): Promise<LiveErrors> {
    return Promise.resolve(liveErrorsOf(this.#sums.get(key(pair, window)) ?? null));
  }

  /** Intervals learn nothing here: the memory store keeps no live calibration. */
  intervalState(): Promise<LiveIntervalState | null> {
    return Promise.resolve(null);
  }
}
