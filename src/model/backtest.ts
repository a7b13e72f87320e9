/**
 * A price model's walk-forward out-of-sample predictions replayed as a trading rule, with costs,
 * beside buy-and-hold and one-candle momentum on the same candles, at the same costs, through the
 * same replay (fills, costs and figures: src/model/trade_replay.ts).
 *
 * The rule. At each decision (the close of a prediction's candle) the position becomes:
 * - long when the predicted return after a round trip's costs exceeds the threshold θ:
 *   `e^p·(1−s)(1−f)/((1+s)(1+f)) − 1 > θ`, p the predicted log return over the horizon, f the fee
 *   and s the slippage per side;
 * - short, unless long-only, when `1 − f − e^p·(1+s)(1+f)/(1−s) > θ`, the return of a short opened
 *   and closed at prices e^p apart;
 * - flat otherwise.
 * One decision per candle, and the position is held until the next decision fills: a prediction
 * `horizon` candles ahead is read as "entering now would earn this", and is read again every candle.
 * Buy-and-hold is long at every decision. Momentum is long after a candle that closed above the
 * previous close, short (flat if long-only) after one below, flat after none.
 *
 * One continuous run covers every fold's decisions; a fold's figures are those of the candles
 * decided in it (a position may run into the next fold; a trade counts in the fold that opened it).
 *
 * `threshold: "auto"` chooses θ per fold on earlier folds only. Fold 1 uses θ = 0: trade whenever
 * the predicted return covers the costs. Fold k tries 0 and the 50, 75, 90, 95, 99 and 100th
 * percentiles of the positive after-cost edges (the larger of the two sides' left-hand terms) of
 * folds 1..k−1; it replays folds 1..k−1 with each on the candles that start before fold k's first
 * decision, and keeps the one with the highest net return (the larger θ on a tie). The 100th
 * percentile trades nothing on those folds, so a model that only lost money there stays out.
 *
 * Look-ahead is refused, not reported: a prediction made after its decision time, or a fold whose
 * model was fitted on a target that closed after the fold's first decision, throws a
 * {@linkcode LookAheadError}. Fills only use candles that start at or after the decision.
 */
import type { Window } from "../domain/candle.ts";
import { isoTime } from "../domain/time.ts";
import {
  type Costs,
  type Decision,
  equityCurves,
  firstFrom,
  netReturn,
  type Position,
  replay,
  type ReplayCandle,
  type RuleStats,
  ruleStats,
} from "./trade_replay.ts";

export type { RuleStats } from "./trade_replay.ts";

export class LookAheadError extends Error {
  override name = "LookAheadError";
}

/** A candle as the backtest reads it; candles are given in time order. */
export type BacktestCandle = ReplayCandle;

/** One out-of-sample prediction. */
export interface OosPrediction {
  /** When the prediction could first be made: the end of the newest candle it read. */
  made_at: number;
  /** The candle close at which the rule acts on it. */
  decision_at: number;
  /** Predicted log return over the horizon. */
  log_return: number;
}

/** One walk-forward fold's test predictions, from a model fitted before them. */
export interface FoldPredictions {
  fold: number;
  /** Window start of the last row the fold's model was fitted on (its target closed `horizon` candles later). */
  trained_through: number;
  predictions: OosPrediction[];
}

export interface BacktestOptions {
  /** Candle length, ms. */
  windowMs: number;
  /** Candles ahead the predictions are for. */
  horizon: number;
  /** Taker fee per side, basis points. */
  feeBps: number;
  /** Fill price moved against the trade, basis points. */
  slippageBps: number;
  /** After-cost return a prediction must exceed, basis points; or chosen on earlier folds. */
  threshold: number | "auto";
  longOnly: boolean;
}

export interface RuleSet {
  model: RuleStats;
  buy_and_hold: RuleStats;
  momentum: RuleStats;
}

export interface FoldBacktest extends RuleSet {
  fold: number;
  decisions: number;
  /** First and last decision time, epoch ms. */
  from: number;
  to: number;
  /** The θ of the fold, basis points. */
  threshold_bps: number;
}

/** Equity (1 at the start) of the three rules after each fill, on the fills' candle starts. */
export interface EquityCurves {
  at: number[];
  model: number[];
  buy_and_hold: number[];
  momentum: number[];
}

export interface Backtest {
  folds: FoldBacktest[];
  overall: RuleSet;
  equity: EquityCurves;
}

/** A backtest as `deno task backtest` prints it and the registry keeps it (`backtest.json`). */
export interface BacktestReport {
  name: string;
  /** The registered version whose setting was replayed; null for the setting train would choose now. */
  version: string | null;
  pair: string;
  window: Window;
  horizon: number;
  /** The model setting, described. */
  model: string;
  data: { rows: number; from: string; to: string; hash: string };
  costs: { fee_bps: number; slippage_bps: number };
  /** As asked: auto, or basis points. */
  threshold: "auto" | number;
  long_only: boolean;
  folds: (Omit<FoldBacktest, "from" | "to"> & { from: string; to: string })[];
  overall: RuleSet;
  equity: EquityCurves;
  created_at: string;
}

const PERCENTILES = [0.5, 0.75, 0.9, 0.95, 0.99, 1];

/** After-cost return of a long entered and left at prices `e^p` apart (fractions of costs). */
export function longEdge(logReturn: number, c: Costs): number {
  return Math.exp(logReturn) * (1 - c.slip) * (1 - c.fee) / ((1 + c.slip) * (1 + c.fee)) - 1;
}

/** After-cost return of a short (notional = equity) entered and left at prices `e^p` apart. */
export function shortEdge(logReturn: number, c: Costs): number {
  return 1 - c.fee - Math.exp(logReturn) * (1 + c.slip) * (1 + c.fee) / (1 - c.slip);
}

function decide(logReturn: number, theta: number, c: Costs, longOnly: boolean): Position {
  if (longEdge(logReturn, c) > theta) return 1;
  if (!longOnly && shortEdge(logReturn, c) > theta) return -1;
  return 0;
}

/** Sign of the return of the last candle closed by `at` (close over the previous close); 0 without two. */
function momentum(
  candles: readonly BacktestCandle[],
  at: number,
  windowMs: number,
  longOnly: boolean,
): Position {
  const k = firstFrom(candles, at - windowMs + 1) - 1;
  if (k < 1) return 0;
  const sign = Math.sign(candles[k]!.close - candles[k - 1]!.close) as Position;
  return longOnly && sign < 0 ? 0 : sign;
}

/** θ of each fold (fractions), as the module says. */
function thresholds(
  folds: readonly FoldPredictions[],
  candles: readonly BacktestCandle[],
  o: BacktestOptions,
  c: Costs,
): number[] {
  const fixed = o.threshold;
  if (fixed !== "auto") return folds.map(() => fixed / 1e4);
  return folds.map((fold, k) => {
    if (k === 0) return 0;
    const earlier = folds.slice(0, k).flatMap((f) => f.predictions.map((p) => ({ p, fold: f.fold })));
    const seen = candles.slice(0, firstFrom(candles, fold.predictions[0]!.decision_at));
    const edges = earlier
      .map(({ p }) =>
        Math.max(longEdge(p.log_return, c), o.longOnly ? -Infinity : shortEdge(p.log_return, c))
      )
      .filter((e) => e > 0)
      .sort((a, b) => a - b);
    const tried = [
      0,
      ...(edges.length ? PERCENTILES.map((q) => edges[Math.floor(q * (edges.length - 1))]!) : []),
    ];
    let best = 0, bestNet = -Infinity;
    for (const theta of tried) {
      const decisions = earlier.map(({ p, fold }) => ({
        at: p.decision_at,
        fold,
        position: decide(p.log_return, theta, c, o.longOnly),
      }));
      const net = netReturn(replay(decisions, seen, c));
      if (net > bestNet || (net === bestNet && theta > best)) [best, bestNet] = [theta, net];
    }
    return best;
  });
}

/** A time for an error message; a time that is not one says so instead of throwing. */
const timeText = (t: number) => (Number.isFinite(t) ? isoTime(t) : `${t} (not a time)`);

function check(
  folds: readonly FoldPredictions[],
  candles: readonly BacktestCandle[],
  o: BacktestOptions,
): void {
  if (!(o.windowMs > 0)) throw new RangeError("windowMs must be positive");
  if (!Number.isInteger(o.horizon) || o.horizon < 1) throw new RangeError("horizon must be an integer >= 1");
  for (const [name, bps] of [["feeBps", o.feeBps], ["slippageBps", o.slippageBps]] as const) {
    if (!(bps >= 0 && bps < 10_000)) throw new RangeError(`${name} must be in [0, 10000)`);
  }
  if (o.threshold !== "auto" && !(o.threshold >= 0 && Number.isFinite(o.threshold))) {
    throw new RangeError("threshold must be a number of basis points >= 0, or auto");
  }
  candles.forEach((k, i) => {
    if (!(k.open > 0 && k.close > 0 && Number.isFinite(k.open) && Number.isFinite(k.close))) {
      throw new RangeError(`the candle at ${isoTime(k.window_start)} has a price that is not positive`);
    }
    if (i > 0 && !(k.window_start > candles[i - 1]!.window_start)) {
      throw new RangeError(`candles must be in time order without repeats (at ${isoTime(k.window_start)})`);
    }
  });
  let last = -Infinity, lastFold = -Infinity;
  for (const f of folds) {
    const first = f.predictions[0];
    if (!first) throw new RangeError(`fold ${f.fold} has no predictions`);
    if (!(f.fold > lastFold)) throw new RangeError(`folds must be numbered in increasing order (${f.fold})`);
    lastFold = f.fold;
    const known = f.trained_through + (o.horizon + 1) * o.windowMs;
    // Written so that a time that is not a number (NaN) fails too.
    if (!(known <= first.decision_at)) {
      throw new LookAheadError(
        `fold ${f.fold}'s model was fitted on a target that closed at ${timeText(known)}, after its first ` +
          `decision at ${timeText(first.decision_at)}: its predictions are not out of sample`,
      );
    }
    for (const p of f.predictions) {
      if (!(p.made_at <= p.decision_at)) {
        throw new LookAheadError(
          `fold ${f.fold}: a prediction made at ${timeText(p.made_at)} is acted on at ${
            timeText(p.decision_at)
          }, before it existed (look-ahead)`,
        );
      }
      if (!(p.decision_at > last)) {
        throw new RangeError(`decisions must be in time order across folds (at ${isoTime(p.decision_at)})`);
      }
      if (!Number.isFinite(p.log_return)) {
        throw new RangeError(`the prediction at ${isoTime(p.decision_at)} is not a number`);
      }
      last = p.decision_at;
    }
  }
}

/**
 * The model's rule, buy-and-hold and momentum per fold and overall.
 *
 * @example
 * ```ts
 * const result = backtest(folds, candles, {
 *   windowMs: 60_000, horizon: 1, feeBps: 26, slippageBps: 2, threshold: "auto", longOnly: false,
 * });
 * result.overall.model.net_return; // e.g. -0.012
 * ```
 */
export function backtest(
  folds: readonly FoldPredictions[],
  candles: readonly BacktestCandle[],
  o: BacktestOptions,
): Backtest {
  check(folds, candles, o);
  const c = { fee: o.feeBps / 1e4, slip: o.slippageBps / 1e4 };
  const theta = thresholds(folds, candles, o, c);
  const decided = folds.flatMap((f, k) =>
    f.predictions.map((p): Decision => ({
      at: p.decision_at,
      fold: f.fold,
      position: decide(p.log_return, theta[k]!, c, o.longOnly),
    }))
  );
  const runs = {
    model: replay(decided, candles, c),
    buy_and_hold: replay(decided.map((d) => ({ ...d, position: 1 as const })), candles, c),
    momentum: replay(
      decided.map((d) => ({ ...d, position: momentum(candles, d.at, o.windowMs, o.longOnly) })),
      candles,
      c,
    ),
  };
  const set = (fold?: number): RuleSet => ({
    model: ruleStats(runs.model, o.windowMs, fold),
    buy_and_hold: ruleStats(runs.buy_and_hold, o.windowMs, fold),
    momentum: ruleStats(runs.momentum, o.windowMs, fold),
  });
  return {
    folds: folds.map((f, k) => ({
      fold: f.fold,
      decisions: f.predictions.length,
      from: f.predictions[0]!.decision_at,
      to: f.predictions.at(-1)!.decision_at,
      threshold_bps: theta[k]! * 1e4,
      ...set(f.fold),
    })),
    overall: set(),
    equity: equityCurves(runs),
  };
}
