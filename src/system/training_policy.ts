/**
 * When `start` and `demo` train a series' first model, and how. A series is trained once its
 * offline history holds `minRows` candles; a model that did not beat "no change" (and so was not
 * promoted), or a run that failed, is tried again once the history has grown by half. The
 * training itself is the same as `deno task train --model auto` with five folds and seed 1, so a
 * run can be repeated by hand.
 */

/** How a first model is trained. */
export const FIRST_MODEL_TRAINING = { choice: "auto", folds: 5, seed: 1 } as const;

/** The history grows by this factor before a series that got no model is trained again. */
export const RETRY_GROWTH = 1.5;

export type TrainingDecision =
  | { train: true }
  /** Not yet: `why` says what the series waits for, for the status line. */
  | { train: false; why: string };

/**
 * Whether the series of `pair` is trained now, with `rows` candles in its history, given the row
 * count of its last attempt (undefined before any) and, when that attempt failed rather than
 * trained a model that lost to "no change", why: a failed run is not a model that lost, and the
 * status line says which it was.
 *
 * @example
 * ```ts
 * firstModelDecision("BTC/USD", 150, 200, undefined); // { train: false, why: "BTC/USD has 150 of 200 candles ..." }
 * ```
 */
export function firstModelDecision(
  pair: string,
  rows: number,
  minRows: number,
  triedAt: number | undefined,
  failure?: string,
): TrainingDecision {
  if (triedAt === undefined) {
    return rows >= minRows ? { train: true } : {
      train: false,
      why: `${pair} has ${rows} of ${minRows} candles for its first model`,
    };
  }
  if (rows >= minRows && rows >= triedAt * RETRY_GROWTH) return { train: true };
  const retry = `retrying at ${Math.ceil(triedAt * RETRY_GROWTH)} candles`;
  return {
    train: false,
    why: failure === undefined
      ? `no ${pair} model beat "no change" yet (${retry})`
      : `${pair}'s training failed on ${triedAt} candles: ${failure} (${retry})`,
  };
}
