/**
 * What the read routes read, per tracked series, through reads shared per series and second
 * (`shared_reads.ts`): a burst of requests costs one store read (and one inference) per series,
 * whatever its size. List answers are kept with their bodies rendered per limit asked. The read
 * routes' reads give the value itself, not a promise, once this second's read has answered.
 */
import type { FeatureRow, ModelRow } from "../domain/feature_row.ts";
import type { OnlineFeatureStore, PointPrediction, PredictionStore, Predictor } from "../domain/ports.ts";
import type { LiveErrors, Prediction } from "../domain/prediction.ts";
import { cardOtherPairs } from "../domain/model_card.ts";
import { servingLevels } from "../model/conformal.ts";
import { MAX_LIMIT } from "./params.ts";
import { type CandlePoint, mergeRecent } from "./recent_candles.ts";
import { SharedReads } from "./shared_reads.ts";

export type { CandlePoint };

/** The candles a series keeps for charts (the online store's recent rows). */
export const MAX_CANDLES = 500;
/** How many of the newest candles a refresh reads; more closed since the last one means a full read. */
const CANDLES_TAIL = 8;
/** Rendered bodies kept per series and second, one per distinct limit asked. */
const BODIES_KEPT = 16;

export interface Latest {
  row: ModelRow | null;
  prediction: PointPrediction | null;
}

/** The live errors of a series and its recent predictions, newest first. */
export interface RecentPredictions {
  live: LiveErrors;
  recent: Recent<Omit<Prediction, "made_at"> & { made_at: string }>;
}

/** The newest items of one series as a route answers them, with bodies already rendered per limit. */
export interface Recent<T> {
  items: T[];
  bodies: Map<number, string>;
}

/** The body for `limit` from `recent`, rendered once per second for the limits most asked. */
export function bodyFor<T>(recent: Recent<T>, limit: number, render: (items: T[]) => unknown): string {
  let body = recent.bodies.get(limit);
  if (body === undefined) {
    body = JSON.stringify(render(recent.items.slice(0, limit)));
    if (recent.bodies.size < BODIES_KEPT) recent.bodies.set(limit, body);
  }
  return body;
}

const iso = (ms: number) => new Date(ms).toISOString();
const series = (p: Predictor) => `${p.pair}|${p.window}`;

export class SeriesReads {
  // Read again in the background in the last tenth of a second, so a steady stream of requests
  // never queues behind a store read (under load one costs a few turns of a busy event loop).
  readonly #reads = new SharedReads({ refreshAheadMs: 100 });
  readonly #candles = new Map<string, CandlePoint[]>();
  readonly #latestKeys = new WeakMap<Predictor, { version: string; key: string }>();

  constructor(readonly online: OnlineFeatureStore, readonly predictions: PredictionStore) {}

  /** The latest row and its prediction; keyed by model version too, so a swapped model answers at once. */
  latest(predictor: Predictor): Latest | Promise<Latest> {
    const model = predictor.current;
    return this.#reads.getNow(this.#latestKey(predictor), async () => {
      const others = model ? cardOtherPairs(model.card) : undefined;
      const row = await this.online.modelRow(predictor.pair, predictor.window, others);
      return { row, prediction: row ? await predictor.predict(row) : null };
    });
  }

  /** The key of `latest`, made once per series and model version rather than once per request. */
  #latestKey(predictor: Predictor): string {
    // Falling back to naive changes the answer as a new version would.
    const version = `${predictor.current?.version ?? ""}${predictor.fallback ? "|naive" : ""}`;
    let kept = this.#latestKeys.get(predictor);
    if (kept?.version !== version) {
      this.#latestKeys.set(predictor, kept = { version, key: `latest|${series(predictor)}|${version}` });
    }
    return kept.key;
  }

  /**
   * The recent candles, newest first (so a limit is a prefix). Kept between refreshes: a refresh
   * reads the newest few rows, not all of them, so it never holds the server up for long.
   */
  candles(p: Predictor): Recent<CandlePoint> | Promise<Recent<CandlePoint>> {
    const key = series(p);
    return this.#reads.getNow(`candles|${key}`, async () => {
      const kept = this.#candles.get(key) ?? [];
      const read = async (n: number) =>
        (await this.online.recent(p.pair, p.window, n)).reverse().map((r) => ({
          t: r.window_start,
          open: r.open,
          high: r.high,
          low: r.low,
          close: r.close,
        }));
      const items = (kept.length > 0 ? mergeRecent(kept, await read(CANDLES_TAIL), MAX_CANDLES) : null) ??
        await read(MAX_CANDLES);
      this.#candles.set(key, items);
      return { items, bodies: new Map() };
    });
  }

  /** The live errors and the recent predictions, newest first. */
  recentPredictions(p: Predictor): RecentPredictions | Promise<RecentPredictions> {
    return this.#reads.getNow(`predictions|${series(p)}`, async () => {
      const [list, live] = await Promise.all([
        this.predictions.recent(p.pair, p.window, MAX_LIMIT),
        this.predictions.liveErrors(p.pair, p.window),
      ]);
      const items = list.map((x) => ({ ...x, made_at: iso(x.made_at) }));
      return { live, recent: { items, bodies: new Map<number, string>() } };
    });
  }

  /**
   * The latest row, the live errors and the levels the serving model's intervals are drawn at, for
   * /health and /metrics.
   */
  status(p: Predictor): Promise<[FeatureRow | null, LiveErrors, Record<string, number> | null]> {
    const current = p.current;
    const card = current?.card.intervals?.model;
    return this.#reads.get(`status|${series(p)}|${current?.version}`, () =>
      Promise.all([
        this.online.latest(p.pair, p.window),
        this.predictions.liveErrors(p.pair, p.window),
        card?.drift
          ? this.predictions.intervalState(p.pair, p.window, current!.version).then((s) =>
            servingLevels(card, s)
          )
          : null,
      ]));
  }

  /** Any other shared read (the registry's listing). */
  shared<T>(key: string, read: () => Promise<T>): Promise<T> {
    return this.#reads.get(key, read);
  }
}
