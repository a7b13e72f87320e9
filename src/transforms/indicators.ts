/**
 * Candles → feature rows: every indicator of the registry for one (pair, window) series, updated
 * incrementally (one candle in, one row out). Definitions follow TA-Lib, which the reference tests
 * check to 1e-9; see README "Indicators" for why these are not technicalindicators' classes.
 */
import type { Candle } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import { back, push, type Ring, ring } from "./indicators/contract.ts";
import { INDICATORS } from "./indicators/registry.ts";
import type { Columns } from "./indicators/spec.ts";

/**
 * The whole state of one series' indicators, plain data for checkpoints: the candles seen, and each
 * indicator's state under its registry key.
 */
export interface IndicatorSetState {
  candles: number;
  [key: string]: unknown;
}

export class IndicatorSet {
  readonly state: IndicatorSetState;
  readonly #writers: ((c: Candle, row: Columns) => void)[] = [];
  #requiredInputs = 1;

  constructor(state?: IndicatorSetState) {
    const s = state ?? { candles: 0 };
    if (state !== undefined) splitCloses(s);
    for (const spec of INDICATORS) {
      if (spec.kind === "candle") {
        const [column] = spec.columns;
        this.#writers.push((c, row) => row[column] = spec.value(c));
        continue;
      }
      // An indicator the checkpoint does not know (added since) starts afresh, so rows wait for it to warm up.
      if (state !== undefined && !(spec.key in s)) s.candles = 0;
      const indicator = spec.create(s[spec.key]);
      s[spec.key] = indicator.state;
      this.#requiredInputs = Math.max(this.#requiredInputs, indicator.requiredInputs);
      this.#writers.push((c, row) => spec.write(indicator.add(c), row));
    }
    this.state = s;
  }

  /** Candles a series needs before every column has a value. */
  get requiredInputs(): number {
    return this.#requiredInputs;
  }

  /** Adds the next closed candle of the series and returns its feature row. */
  add(c: Candle): FeatureRow {
    const s = this.state;
    s.candles++;
    const row: Columns = { ...c } as unknown as Columns;
    for (const write of this.#writers) write(c, row);
    (row as unknown as FeatureRow).warm = s.candles >= WARMUP_CANDLES;
    return row as unknown as FeatureRow;
  }
}

/**
 * Checkpoints written before each return column had its own indicator kept one ring of the last 16
 * closes for all of them and the realised volatility's sums beside it: rebuild those states from it.
 */
function splitCloses(s: IndicatorSetState): void {
  const closes = s.closes as Ring | undefined;
  if (closes === undefined) return;
  for (const span of [1, 5, 15]) {
    const r = ring(span + 1);
    for (let i = Math.min(span + 1, closes.count) - 1; i >= 0; i--) push(r, back(closes, i));
    s[`logReturn${span}`] = { ring: r };
  }
  s.realizedVol15 = {
    prev: closes.count > 0 ? back(closes, 0) : null,
    squares: s.squaredReturns,
    sum: s.squaredSum,
  };
  delete s.closes;
  delete s.squaredReturns;
  delete s.squaredSum;
}

/** Candles before a series' rows are warm: the longest warm-up of any column. Live and history share it. */
export const WARMUP_CANDLES: number = new IndicatorSet().requiredInputs;
