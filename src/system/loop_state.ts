/**
 * The model loop's state of one series and the rules that move it, pure: realised predictions go
 * in (with what the champion and the challenger in shadow predicted at the same rows), decisions
 * come out. The judging itself is in ../model/live_judge.ts; this says when it is asked and what
 * follows from its verdicts.
 *
 * - A challenger is promoted or retired once it has `shadow` realised rows (`judgeChallenger`):
 *   judged against a champion that serves (significantly better than one within its maximum age,
 *   better than one past it), and against naive while naive serves.
 * - The champion falls back to naive when its last `guard` rows are significantly worse than
 *   naive's, and comes back only when a later window is no longer worse (`guard`), or when a
 *   challenger is promoted in its place.
 * - A champion whose training data ended `maxAgeMs` ago is retrained; at twice that it expires and
 *   the series serves naive until a new champion is promoted.
 * - Retraining is due every `retrainEveryMs` of market time after the last attempt.
 *
 * Error lists keep only the rows the tests read, so the state stays small enough for one Deno KV
 * value.
 */
import type { Prediction } from "../domain/prediction.ts";
import { type DmResult, guard, judgeChallenger, modelAge } from "../model/live_judge.ts";

export interface LoopOptions {
  /** Realised shadow predictions a challenger needs before it is judged. */
  shadow: number;
  /** Realised predictions the guard compares with naive's. */
  guard: number;
  /** Market time between retrainings, ms. */
  retrainEveryMs: number;
  /** Age of the champion's training data at which it is retrained; twice this expires it. */
  maxAgeMs: number;
  /** One-sided significance level of the Diebold–Mariano test a challenger must pass. */
  alpha: number;
  /**
   * The guard's level. Stricter than `alpha`: the guard looks again at every realised row (a
   * window sliding by one), so at `alpha` it would sound on noise alone every few hundred rows.
   */
  guardAlpha: number;
  horizon: number;
}

/** Absolute errors of a forecaster and of naive on the same realised rows, oldest first. */
export interface PairedErrors {
  errors: number[];
  naive: number[];
}

export interface SeriesLoopState {
  champion: ({ version: string } & PairedErrors) | null;
  /** The challenger's errors, the champion's and naive's on the rows it predicted in shadow. */
  challenger: ({ version: string; since: number; champion: number[] } & PairedErrors) | null;
  /** The guard's verdict on the champion's live errors. */
  guarded: { fallback: boolean; reason: string };
  /** The champion's data is more than twice the maximum age old. */
  expired: boolean;
  /** Market time the series serves naive since, when it does. */
  fallbackSince: number | null;
  /** Market time of the last retraining started. */
  lastRetrainAt: number | null;
  lastDecision: { at: number; text: string } | null;
}

export function emptyState(): SeriesLoopState {
  return {
    champion: null,
    challenger: null,
    guarded: { fallback: false, reason: "" },
    expired: false,
    fallbackSince: null,
    lastRetrainAt: null,
    lastDecision: null,
  };
}

/** A change the loop makes, with the statistics behind it: logged, and acted on by the caller. */
export type LoopEvent =
  | { kind: "promote" | "retire"; version: string } & Judged
  | { kind: "fallback"; reason: string }
  | { kind: "recover"; reason: string }
  | { kind: "expire"; reason: string };

/** How much worse than naive (relative MAE) the champion must be, beyond significance, to fall back. */
export const GUARD_MARGIN = 0.01;

const keep = (xs: number[], cap: number) => (xs.length > cap ? xs.slice(xs.length - cap) : xs);

/** The cap on each error list: the most rows either test reads. */
export function errorCap(o: Pick<LoopOptions, "shadow" | "guard">): number {
  return Math.max(o.shadow, o.guard);
}

/** Why the series serves naive now, or null when its champion serves. */
export function fallbackReason(s: SeriesLoopState): string | null {
  if (s.expired) return "the champion expired: its training data is more than twice --max-model-age old";
  return s.guarded.fallback ? s.guarded.reason : null;
}

/** The state once `champion` serves (first load, a manual promotion, a promotion by the loop). */
export function withChampion(s: SeriesLoopState, version: string, inherited?: PairedErrors): SeriesLoopState {
  if (s.champion?.version === version) return s;
  return {
    ...s,
    champion: { version, errors: [...(inherited?.errors ?? [])], naive: [...(inherited?.naive ?? [])] },
    // Its shadow rows were judged against another champion: they no longer compare.
    challenger: s.challenger && s.challenger.version !== version
      ? { ...s.challenger, errors: [], champion: [], naive: [] }
      : null,
    guarded: { fallback: false, reason: "" },
    expired: false,
    fallbackSince: null,
  };
}

/** The state with a new challenger in shadow from market time `at`. */
export function withChallenger(s: SeriesLoopState, version: string, at: number): SeriesLoopState {
  return { ...s, challenger: { version, since: at, errors: [], champion: [], naive: [] } };
}

/** Adds the errors of a realised prediction to the lists of the versions that made it. */
export function recordRealised(s: SeriesLoopState, p: Prediction, cap: number): SeriesLoopState {
  const close = p.realised_close;
  if (close === null) return s;
  const naive = Math.abs(p.current_close - close);
  const champ = p.shadow?.champion;
  const chall = p.shadow?.challenger;
  let { champion, challenger } = s;
  if (champ && champion && champ.version === champion.version) {
    const err = Math.abs(champ.predicted_close - close);
    champion = {
      ...champion,
      errors: keep([...champion.errors, err], cap),
      naive: keep([...champion.naive, naive], cap),
    };
  }
  // A row the current champion did not forecast (made before a promotion or rollback, realised
  // after it) has no pair to compare the challenger with: it is left out rather than compared
  // with naive in the champion's place.
  if (
    chall && challenger && chall.version === challenger.version && champ &&
    champ.version === champion?.version
  ) {
    challenger = {
      ...challenger,
      errors: keep([...challenger.errors, Math.abs(chall.predicted_close - close)], cap),
      champion: keep([...challenger.champion, Math.abs(champ.predicted_close - close)], cap),
      naive: keep([...challenger.naive, naive], cap),
    };
  }
  return { ...s, champion, challenger };
}

/**
 * The verdicts due at market time `now` for the champion (trained on data up to `trainedTo`): the
 * challenger's, the guard's and the age's, applied to the state, with the events they make.
 */
export function judge(
  s: SeriesLoopState,
  o: LoopOptions,
  now: number,
  trainedTo: number | null,
): { state: SeriesLoopState; events: LoopEvent[] } {
  const events: LoopEvent[] = [];
  let next = s;
  const ch = next.challenger;
  const age = trainedTo === null ? "fresh" : modelAge(trainedTo, now, o.maxAgeMs);
  if (ch) {
    const verdict = judgeChallenger(
      { challenger: ch.errors, champion: ch.champion, naive: ch.naive },
      {
        shadow: o.shadow,
        alpha: o.alpha,
        horizon: o.horizon,
        // The age is the starting champion's as of now: one expiring in this very call no longer
        // serves, and is no bar either.
        serving: fallbackReason(next) !== null || age === "expired"
          ? "naive"
          : age === "retrain"
          ? "aged"
          : "champion",
      },
    );
    if (verdict.decision === "promote") {
      events.push({ kind: "promote", version: ch.version, ...pick(verdict) });
      next = withChampion({ ...next, challenger: null }, ch.version, ch);
    } else if (verdict.decision === "retire") {
      events.push({ kind: "retire", version: ch.version, ...pick(verdict) });
      next = { ...next, challenger: null };
    }
  }
  if (next.champion) {
    const wasFallback = fallbackReason(next) !== null;
    const guarded = guard(
      next.guarded,
      { champion: next.champion.errors, naive: next.champion.naive },
      { guard: o.guard, alpha: o.guardAlpha, horizon: o.horizon, margin: GUARD_MARGIN },
    );
    if (guarded.fallback !== next.guarded.fallback) {
      events.push({ kind: guarded.fallback ? "fallback" : "recover", reason: guarded.reason });
    }
    next = { ...next, guarded };
    // `trainedTo` is the end of the data of the champion this call began with: a champion promoted
    // just now is not aged by it (the next call passes its own).
    const aged = trainedTo !== null && next.champion?.version === s.champion?.version;
    if (aged && !next.expired && modelAge(trainedTo, now, o.maxAgeMs) === "expired") {
      next = { ...next, expired: true };
      events.push({ kind: "expire", reason: fallbackReason(next)! });
    }
    const isFallback = fallbackReason(next) !== null;
    if (isFallback !== wasFallback) next = { ...next, fallbackSince: isFallback ? now : null };
  }
  return { state: next, events };
}

/** A challenger's verdict as its event carries it. */
type Judged = { reason: string; vsChampion: DmResult; vsNaive: DmResult; against: "champion" | "naive" };

function pick(v: Judged): Judged {
  return { reason: v.reason, vsChampion: v.vsChampion, vsNaive: v.vsNaive, against: v.against };
}

/**
 * Whether a retraining is due at market time `now`: every `retrainEveryMs` after the last attempt
 * (or after the champion's data ends, before any), and at once when the champion reaches its
 * maximum age, and again when it expires at twice that, unless an attempt was made since. Not while
 * a challenger is in shadow. An expired champion leaves naive serving until a challenger is
 * promoted, and only a retraining makes one: with the attempt at the maximum age retired, waiting
 * for the next period would keep naive serving for up to `retrainEveryMs`.
 */
export function retrainDue(
  s: SeriesLoopState,
  o: LoopOptions,
  now: number,
  trainedTo: number | null,
): boolean {
  if (!s.champion || s.challenger || trainedTo === null) return false;
  const last = s.lastRetrainAt ?? trainedTo;
  if (now - last >= o.retrainEveryMs) return true;
  const age = modelAge(trainedTo, now, o.maxAgeMs);
  if (age === "fresh") return false;
  const since = trainedTo + (age === "expired" ? 2 : 1) * o.maxAgeMs;
  return s.lastRetrainAt === null || s.lastRetrainAt < since;
}

/** 1 − MAE(champion)/MAE(naive) over the last `rows` realised rows, with the count; null before any. */
export function liveSkill(s: SeriesLoopState, rows: number): { skill: number | null; rows: number } {
  const c = s.champion;
  if (!c || c.errors.length === 0) return { skill: null, rows: 0 };
  const e = c.errors.slice(-rows), z = c.naive.slice(-rows);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const naive = sum(z);
  return { skill: naive > 0 ? 1 - sum(e) / naive : null, rows: e.length };
}
