/**
 * Positions replayed on candles with exact cash and units, and the figures of the run.
 *
 * A decision fills at the open of the first candle starting at or after its time (that candle's
 * first trade comes after the decided candle's last), moved against the trade by the slippage s:
 * buys at open·(1+s), sells at open·(1−s). Every buy or sell pays the fee f on its notional, so a
 * flip from long to short pays two sides. A long holds all the equity; a short sells a notional
 * equal to the equity. Equity is marked at each fill's open. After the last decision its position
 * is closed at the next open. A decision without a candle to fill at, or without one after it to
 * close at, is not traded; of two decisions that would fill at the same open, the later one is.
 *
 * Figures of a run, over its candles (fill to next fill, the fill's costs included):
 * - net return: the equity at the end over the equity at the start, less 1;
 * - Sharpe: mean over standard deviation (n − 1) of the per-candle returns, times √(candles in
 *   365 days); null when they do not vary;
 * - max drawdown: the largest fall from a running peak of the equity, which starts at 1;
 * - trades: positions opened; hit rate: the share of them (entry to exit, both sides' costs
 *   included) that made money;
 * - exposure: the share of candles in a position;
 * - turnover: the sides traded, in units of the equity (a round trip is 2).
 */

export type Position = -1 | 0 | 1;

/** Fee and slippage per side, as fractions. */
export interface Costs {
  fee: number;
  slip: number;
}

/** A decision of a rule: at `at` (epoch ms), hold `position`; `fold` labels it for the figures. */
export interface Decision {
  at: number;
  fold: number;
  position: Position;
}

export interface Step {
  /** The fill's candle start, epoch ms. */
  at: number;
  fold: number;
  position: Position;
  /** Return from this fill's open to the next fill's, this fill's costs included. */
  ret: number;
  sides: number;
  /** How long the step lasts, to the next fill's open, in ms: longer than a window across a gap. */
  ms: number;
}

export interface Run {
  steps: Step[];
  /** Per position opened: the fold it was opened in and its return, entry to exit. */
  trades: { fold: number; ret: number }[];
}

export interface RuleStats {
  /** Candles from the first fill to the last exit. */
  candles: number;
  net_return: number;
  /** Annualised; null when the returns do not vary. */
  sharpe: number | null;
  max_drawdown: number;
  trades: number;
  /** Null without trades. */
  hit_rate: number | null;
  exposure: number;
  turnover: number;
}

/** A candle as a replay reads it; candles are given in time order. */
export interface ReplayCandle {
  window_start: number;
  open: number;
  close: number;
}

const YEAR_MS = 365 * 24 * 3_600_000;

/** Index of the first candle starting at or after `t` (candles.length when none does). */
export function firstFrom(candles: readonly ReplayCandle[], t: number): number {
  let lo = 0, hi = candles.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (candles[mid]!.window_start < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Replays `decisions` (in time order) on `candles`, as the module says. */
export function replay(decisions: readonly Decision[], candles: readonly ReplayCandle[], c: Costs): Run {
  const fills: { d: Decision; f: number }[] = [];
  for (const d of decisions) {
    const f = firstFrom(candles, d.at);
    if (f >= candles.length) break;
    if (fills.at(-1)?.f === f) fills.pop();
    fills.push({ d, f });
  }
  if (fills.length && fills.at(-1)!.f + 1 >= candles.length) fills.pop();

  let cash = 1, units = 0, pos: Position = 0, openCash = 0, openFold = 0;
  const trades: Run["trades"] = [];
  const tradeTo = (to: Position, open: number, fold: number): number => {
    if (to === pos) return 0;
    let sides = 0;
    if (pos !== 0) {
      // units < 0 for a short: buying them back takes cash.
      cash += pos === 1
        ? units * open * (1 - c.slip) * (1 - c.fee)
        : units * open * (1 + c.slip) * (1 + c.fee);
      units = 0;
      trades.push({ fold: openFold, ret: cash / openCash - 1 });
      sides++;
    }
    if (to !== 0) {
      openCash = cash;
      openFold = fold;
      if (to === 1) {
        units = cash / (open * (1 + c.slip) * (1 + c.fee));
        cash = 0;
      } else {
        units = -cash / (open * (1 - c.slip));
        cash *= 2 - c.fee;
      }
      sides++;
    }
    pos = to;
    return sides;
  };

  const steps: Step[] = [];
  fills.forEach(({ d, f }, j) => {
    const open = candles[f]!.open;
    const before = cash + units * open;
    let sides = tradeTo(d.position, open, d.fold);
    const last = j + 1 === fills.length;
    const next = candles[last ? f + 1 : fills[j + 1]!.f]!.open;
    if (last) sides += tradeTo(0, next, d.fold);
    const nextStart = candles[last ? f + 1 : fills[j + 1]!.f]!.window_start;
    steps.push({
      at: candles[f]!.window_start,
      fold: d.fold,
      position: d.position,
      ret: (cash + units * next) / before - 1,
      sides,
      ms: nextStart - candles[f]!.window_start,
    });
  });
  return { steps, trades };
}

/** The equity at the end of a run over the equity at its start, less 1. */
export function netReturn(run: Run): number {
  return run.steps.reduce((e, s) => e * (1 + s.ret), 1) - 1;
}

/** The figures of a run, or of the candles and trades of one fold of it; `windowMs` annualises. */
export function ruleStats(run: Run, windowMs: number, fold?: number): RuleStats {
  const steps = fold === undefined ? run.steps : run.steps.filter((s) => s.fold === fold);
  const trades = fold === undefined ? run.trades : run.trades.filter((t) => t.fold === fold);
  const n = steps.length;
  // A step across a gap in the candles lasts several windows: Sharpe and exposure weigh each step
  // by its windows (`k`), so a day-long step counts as a day, not as one candle.
  const k = (st: Step) => Math.max(1, st.ms / windowMs);
  let equity = 1, peak = 1, drawdown = 0, sum = 0, windows = 0, exposed = 0, turnover = 0;
  for (const s of steps) {
    equity *= 1 + s.ret;
    peak = Math.max(peak, equity);
    drawdown = Math.max(drawdown, 1 - equity / peak);
    sum += s.ret;
    windows += k(s);
    if (s.position !== 0) exposed += k(s);
    turnover += s.sides;
  }
  // The return per window, and its variance per window (each step's deviation from k windows' mean).
  const mean = windows ? sum / windows : 0;
  let ss = 0;
  for (const s of steps) ss += (s.ret - mean * k(s)) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (windows - windows / n)) : 0;
  return {
    candles: n,
    net_return: equity - 1,
    sharpe: sd > 0 ? (mean / sd) * Math.sqrt(YEAR_MS / windowMs) : null,
    max_drawdown: drawdown,
    trades: trades.length,
    hit_rate: trades.length ? trades.filter((t) => t.ret > 0).length / trades.length : null,
    exposure: windows ? exposed / windows : 0,
    turnover,
  };
}

/**
 * The equity of each run after each step, on the steps' times, thinned to at most `points` (the
 * last always kept): the curves a chart draws. The runs replay the same decisions, so they share
 * their steps' times.
 */
export function equityCurves<K extends string>(
  runs: Record<K, Run>,
  points = 500,
): { at: number[] } & Record<K, number[]> {
  const names = Object.keys(runs) as K[];
  const first = runs[names[0]!].steps;
  const every = Math.max(1, Math.ceil(first.length / points));
  const out = { at: [] as number[] } as { at: number[] } & Record<K, number[]>;
  const equity = {} as Record<K, number>;
  for (const k of names) {
    out[k] = [] as never;
    equity[k] = 1;
  }
  first.forEach((step, j) => {
    for (const k of names) equity[k] *= 1 + runs[k].steps[j]!.ret;
    if (j % every === 0 || j === first.length - 1) {
      out.at.push(step.at);
      for (const k of names) (out[k] as number[]).push(Number(equity[k].toPrecision(8)));
    }
  });
  return out;
}
