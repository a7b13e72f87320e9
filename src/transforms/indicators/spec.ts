/**
 * How a feature column is made, as one entry of the registry: either an indicator over the series
 * of candles (state under `key` in a series' checkpoint, a warm-up, a documented value on flat
 * input) or a value read off the candle alone.
 */
import type { Candle } from "../../domain/candle.ts";
import type { Indicator } from "./contract.ts";

/** The indicator columns of a row being built. */
export type Columns = Record<string, number | null>;

/** An indicator over a series of candles and the columns it fills. */
export interface SeriesSpec<C extends string = string> {
  readonly kind: "series";
  /** Where its state sits in a series' checkpoint. */
  readonly key: string;
  readonly columns: readonly C[];
  /** A fresh indicator, or one continuing from `state` (as a checkpoint holds it). */
  create(state?: unknown): Indicator<Candle, unknown>;
  /** Sets its columns from one output of its indicator; `null` (warming up) sets them all to null. */
  write(out: unknown, row: Columns): void;
  /** Its columns once stable on a run of candles all alike `c`: what it says about no movement. */
  flat(c: Candle): Readonly<Record<C, number>>;
}

/** A column read off its candle alone: no state, no warm-up, never null. */
export interface CandleSpec<C extends string = string> {
  readonly kind: "candle";
  readonly columns: readonly [C];
  value(c: Candle): number;
}

export type ColumnSpec<C extends string = string> = SeriesSpec<C> | CandleSpec<C>;

/** The indicator `inner` fed with what `input` reads from each candle. */
class OnCandles<In, Out> implements Indicator<Candle, Out> {
  constructor(readonly inner: Indicator<In, Out>, readonly input: (c: Candle) => In) {}

  add(c: Candle): Out | null {
    return this.inner.add(this.input(c));
  }

  get isStable(): boolean {
    return this.inner.isStable;
  }

  get requiredInputs(): number {
    return this.inner.requiredInputs;
  }

  get state(): unknown {
    return this.inner.state;
  }
}

/**
 * An indicator with one number per input, as `column`.
 *
 * @example
 * ```ts
 * one("sma7", "sma_7", (s?: SmaState) => new Sma(7, s), (c) => c.close, (c) => c.close);
 * ```
 */
export function one<const C extends string, S, In>(
  key: string,
  column: C,
  make: (state?: S) => Indicator<In, number>,
  input: (c: Candle) => In,
  flat: (c: Candle) => number,
): SeriesSpec<C> {
  return {
    kind: "series",
    key,
    columns: [column],
    create: (state) => new OnCandles(make(state as S | undefined), input),
    write: (out, row) => {
      row[column] = out as number | null;
    },
    flat: (c) => ({ [column]: flat(c) }) as Record<C, number>,
  };
}

/**
 * An indicator with an object per input; `fields` names the column of each field, in column order.
 *
 * @example
 * ```ts
 * many("stochRsi", { stochrsi_k: "k", stochrsi_d: "d" }, (s?: StochRsiState) => new StochRsi(10, 5, 3, s),
 *   (c) => c.close, () => ({ stochrsi_k: 0, stochrsi_d: 0 }));
 * ```
 */
export function many<const F extends Record<string, string>, S, In>(
  key: string,
  fields: F,
  make: (state?: S) => Indicator<In, { readonly [K in F[keyof F]]: number }>,
  input: (c: Candle) => In,
  flat: (c: Candle) => Readonly<Record<keyof F & string, number>>,
): SeriesSpec<keyof F & string> {
  const pairs = Object.entries(fields);
  return {
    kind: "series",
    key,
    columns: pairs.map(([column]) => column as keyof F & string),
    create: (state) => new OnCandles(make(state as S | undefined), input),
    write: (out, row) => {
      const o = out as Record<string, number> | null;
      for (const [column, field] of pairs) row[column] = o === null ? null : o[field] as number;
    },
    flat,
  };
}

/** A column read off the candle. */
export function fromCandle<const C extends string>(column: C, value: (c: Candle) => number): CandleSpec<C> {
  return { kind: "candle", columns: [column], value };
}
