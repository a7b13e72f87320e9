/**
 * Candles → feature rows across every series: each closed candle goes to the indicator set of its
 * (pair, window). With the candle reducer's state, this is the feature state a trade job saves in
 * its checkpoint beside the trade cursor (plain data), so a restart continues the exact same series.
 */
import type { Candle } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import { type CandleOptions, type CandleState, initialCandleState } from "./candles.ts";
import { IndicatorSet, type IndicatorSetState } from "./indicators.ts";

/** The feature state of a trade job, as its checkpoint holds it. */
export interface FeatureState {
  version: 1;
  candles: CandleState;
  /** Keyed `PAIR|WINDOW`. */
  indicators: Record<string, IndicatorSetState>;
}

export function initialFeatureState(options: CandleOptions): FeatureState {
  return { version: 1, candles: initialCandleState(options), indicators: {} };
}

/**
 * The indicator sets of every series, over one plain state object keyed `PAIR|WINDOW` (which
 * `rows` mutates: copying it per candle would cost more than the indicators themselves).
 *
 * @example
 * ```ts
 * const series = new SeriesIndicators();
 * const rows = series.rows(stepCandles(candleState, trade));
 * ```
 */
export class SeriesIndicators {
  readonly state: Record<string, IndicatorSetState>;
  #sets = new Map<string, IndicatorSet>();

  /** Continues from `state` (a checkpoint's), or starts every series afresh. */
  constructor(state: Record<string, IndicatorSetState> = {}) {
    this.state = state;
  }

  /** Ends a pair's series in every window: its next candle starts the indicators afresh. */
  forget(pair: string): void {
    for (const key of Object.keys(this.state)) {
      if (!key.startsWith(`${pair}|`)) continue;
      delete this.state[key];
      this.#sets.delete(key);
    }
  }

  /** The feature row of each closed candle, in order. */
  rows(candles: readonly Candle[]): FeatureRow[] {
    const rows = new Array<FeatureRow>(candles.length);
    for (let i = 0; i < candles.length; i++) {
      const c = candles[i] as Candle;
      const key = `${c.pair}|${c.window}`;
      let set = this.#sets.get(key);
      if (set === undefined) {
        set = new IndicatorSet(this.state[key]);
        this.state[key] = set.state;
        this.#sets.set(key, set);
      }
      rows[i] = set.add(c);
    }
    return rows;
  }
}
