/**
 * Trades (or candles) → feature rows: the candle reducer feeding one indicator set per
 * (pair, window). All state is one plain object, so the pipeline saves it in the same checkpoint
 * as the trade cursor and a restart continues the exact same series.
 */
import type { Candle, Window } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import type { Trade } from "../domain/trade.ts";
import {
  type CandleOptions,
  type CandleState,
  flushCandles,
  initialCandleState,
  stepCandle,
  stepCandles,
  tickCandles,
} from "./candles.ts";
import { IndicatorSet, type IndicatorSetState } from "./indicators.ts";

export interface FeatureState {
  version: 1;
  candles: CandleState;
  /** Keyed `PAIR|WINDOW`. */
  indicators: Record<string, IndicatorSetState>;
}

export function initialFeatureState(options: CandleOptions): FeatureState {
  return { version: 1, candles: initialCandleState(options), indicators: {} };
}

export class FeatureEngine {
  readonly state: FeatureState;
  #sets = new Map<string, IndicatorSet>();

  /** Continues from `state` (a checkpoint) or starts afresh with `options`. */
  constructor(state: FeatureState) {
    this.state = state;
  }

  get windows(): readonly Window[] {
    return this.state.candles.windows;
  }

  /** Trades that arrived after their window had closed. */
  get late(): number {
    return this.state.candles.late;
  }

  /** One trade in; the feature rows of the candles it closed out. */
  step(trade: Trade, arrivedAt = 0): FeatureRow[] {
    const candles = stepCandles(this.state.candles, trade, arrivedAt);
    return candles.length === 0 ? [] : this.#rows(candles);
  }

  /** One candle of the smallest window in (from a candle file); the rows it closes. */
  stepCandle(candle: Candle): FeatureRow[] {
    return this.#rows(stepCandle(this.state.candles, candle));
  }

  /** Closes windows that idled out by wall-clock time `now`; see `tickCandles`. */
  tick(now: number): FeatureRow[] {
    return this.#rows(tickCandles(this.state.candles, now));
  }

  /** Closes every open window: the end of a bounded history. */
  flush(): FeatureRow[] {
    return this.#rows(flushCandles(this.state.candles));
  }

  #rows(candles: Candle[]): FeatureRow[] {
    const rows = new Array<FeatureRow>(candles.length);
    for (let i = 0; i < candles.length; i++) {
      const c = candles[i] as Candle;
      const key = `${c.pair}|${c.window}`;
      let set = this.#sets.get(key);
      if (set === undefined) {
        set = new IndicatorSet(this.state.indicators[key]);
        this.state.indicators[key] = set.state;
        this.#sets.set(key, set);
      }
      rows[i] = set.add(c);
    }
    return rows;
  }
}

/**
 * The engine as a `TransformStream<Trade, FeatureRow>`, for composing it with other stages. `flush`
 * emits the rows of every open window (the end of a bounded history). It reads no clock, so it never
 * closes idle windows; the live ingest's sink does that, where wall time is known.
 *
 * @example
 * ```ts
 * const engine = new FeatureEngine(initialFeatureState({ windows: ["1m", "5m"] }));
 * const rows = await Array.fromAsync(trades.pipeThrough(new FeatureStream(engine)));
 * ```
 */
export class FeatureStream extends TransformStream<Trade, FeatureRow> {
  constructor(engine: FeatureEngine) {
    super({
      transform(trade, controller) {
        for (const row of engine.step(trade)) controller.enqueue(row);
      },
      flush(controller) {
        for (const row of engine.flush()) controller.enqueue(row);
      },
    });
  }
}
