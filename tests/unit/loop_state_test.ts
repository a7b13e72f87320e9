import assert from "node:assert/strict";
import type { Prediction } from "../../src/domain/prediction.ts";
import {
  emptyState,
  errorCap,
  fallbackReason,
  judge,
  liveSkill,
  type LoopEvent,
  type LoopOptions,
  recordRealised,
  retrainDue,
  type SeriesLoopState,
  withChallenger,
  withChampion,
} from "../../src/system/loop_state.ts";
import { seededRandom } from "../../src/util/random.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const OPTS: LoopOptions = {
  shadow: 120,
  guard: 120,
  retrainEveryMs: 6 * HOUR,
  maxAgeMs: 48 * HOUR,
  alpha: 0.05,
  guardAlpha: 0.01,
  horizon: 1,
};

/**
 * A market whose one-minute log returns trend (φ = 0.35) until `change`, then mean-revert
 * (φ = −0.35): the closes, and the returns that made them.
 */
function market(minutes: number, change: number, seed = 7): number[] {
  const r = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const closes = [100];
  let ret = 0;
  for (let m = 1; m <= minutes; m++) {
    ret = (m < change ? 0.35 : -0.35) * ret + 0.001 * gauss();
    closes.push(closes.at(-1)! * Math.exp(ret));
  }
  return closes;
}

/** The prediction made at minute `m` (realised at m + 1) by the models in `shadow`, each an AR(1) slope. */
function realised(
  closes: number[],
  m: number,
  models: { champion?: [string, number]; challenger?: [string, number] },
): Prediction {
  const last = Math.log(closes[m]! / closes[m - 1]!);
  const at = (phi: number) => closes[m]! * Math.exp(phi * last);
  return {
    pair: "BTC/USD",
    window: "1m",
    made_at: m * MIN,
    horizon: 1,
    horizon_s: 60,
    current_close: closes[m]!,
    predicted_close: closes[m]!,
    model: { name: "naive", version: null },
    realised_close: closes[m + 1]!,
    shadow: {
      ...(models.champion
        ? { champion: { version: models.champion[0], predicted_close: at(models.champion[1]) } }
        : {}),
      ...(models.challenger
        ? { challenger: { version: models.challenger[0], predicted_close: at(models.challenger[1]) } }
        : {}),
    },
  };
}

/** Runs minutes `from`..`to` through record and judge; returns the state and every event with its minute. */
function run(
  state: SeriesLoopState,
  closes: number[],
  from: number,
  to: number,
  slopes: Record<string, number>,
  trainedTo = 0,
): { state: SeriesLoopState; events: (LoopEvent & { minute: number })[] } {
  const events: (LoopEvent & { minute: number })[] = [];
  for (let m = from; m < to; m++) {
    const champion = state.champion
      ? [state.champion.version, slopes[state.champion.version]!] as [string, number]
      : undefined;
    const challenger = state.challenger
      ? [state.challenger.version, slopes[state.challenger.version]!] as [string, number]
      : undefined;
    state = recordRealised(
      state,
      realised(closes, m, { ...(champion ? { champion } : {}), ...(challenger ? { challenger } : {}) }),
      errorCap(OPTS),
    );
    const j = judge(state, OPTS, (m + 1) * MIN, trainedTo);
    state = j.state;
    events.push(...j.events.map((e) => ({ ...e, minute: m })));
  }
  return { state, events };
}

Deno.test("a regime change: the champion falls back to naive, a retrained challenger is promoted on live evidence", () => {
  const change = 1500;
  const closes = market(4000, change);
  const slopes = { v0001: 0.35, v0002: -0.35 };
  let state = withChampion(emptyState(), "v0001");

  // Before the change, the trend-follower beats naive: no fallback.
  let r = run(state, closes, 1, change, slopes);
  assert.deepEqual(r.events, []);
  assert.ok(liveSkill(r.state, 120).skill! > 0, "a trend model has positive skill in a trending market");

  // After it, the guard notices within a few guard windows.
  r = run(r.state, closes, change, change + 600, slopes);
  const fallback = r.events.find((e) => e.kind === "fallback");
  assert.ok(fallback, "the champion falls back to naive after the regime change");
  assert.ok(fallback.minute - change < 360, `fell back ${fallback.minute - change} minutes after the change`);
  assert.match(fallbackReason(r.state)!, /significantly worse than naive/);
  assert.equal(r.state.fallbackSince, (fallback.minute + 1) * MIN);

  // A challenger retrained on the new regime shadows the champion and is promoted.
  state = withChallenger(r.state, "v0002", (change + 600) * MIN);
  r = run(state, closes, change + 600, change + 1000, slopes);
  const promoted = r.events.find((e) => e.kind === "promote");
  assert.ok(promoted && promoted.kind === "promote", JSON.stringify(r.events.map((e) => e.kind)));
  assert.equal(promoted.version, "v0002");
  assert.equal(promoted.minute - (change + 600), OPTS.shadow - 1, "judged as soon as it has --shadow rows");
  assert.ok(promoted.vsChampion.pBetter < 0.05);
  assert.equal(r.state.champion?.version, "v0002");
  assert.equal(fallbackReason(r.state), null, "the promotion ends the fallback");
  assert.equal(r.state.champion?.errors.length, OPTS.shadow, "its shadow record carries over");
});

Deno.test("a challenger no better than the champion is retired with the statistics, and nothing else changes", () => {
  const closes = market(2000, Infinity);
  const slopes = { v0001: 0.35, v0002: 0.3 };
  const state = withChallenger(withChampion(emptyState(), "v0001"), "v0002", 0);
  const r = run(state, closes, 1, 400, slopes);
  const retired = r.events.filter((e) => e.kind === "retire");
  assert.equal(retired.length, 1);
  assert.match(retired[0]!.reason, /^not (significantly )?better/);
  assert.match(retired[0]!.reason, /live MAE .* on 120 rows, DM p=/);
  assert.equal(r.state.challenger, null);
  assert.equal(r.state.champion?.version, "v0001");
});

Deno.test("the guard does not flap: once on fallback the champion stays there while it is worse", () => {
  const closes = market(3000, 100);
  const slopes = { v0001: 0.35 };
  const r = run(withChampion(emptyState(), "v0001"), closes, 1, 3000, slopes);
  const kinds = r.events.map((e) => e.kind);
  assert.deepEqual(
    kinds,
    ["fallback"],
    "one fallback, no recoveries, over 2,900 minutes of a lasting regime",
  );
});

Deno.test("a champion that is no longer worse than naive serves again (recover)", () => {
  // Trending, then mean-reverting for a while, then trending again.
  const r = seededRandom(3);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const closes = [100];
  let ret = 0;
  for (let m = 1; m <= 3000; m++) {
    ret = (m > 200 && m < 900 ? -0.35 : 0.35) * ret + 0.001 * gauss();
    closes.push(closes.at(-1)! * Math.exp(ret));
  }
  const out = run(withChampion(emptyState(), "v0001"), closes, 1, 3000, { v0001: 0.35 });
  const kinds = out.events.map((e) => e.kind);
  assert.deepEqual(kinds, ["fallback", "recover"]);
  assert.equal(fallbackReason(out.state), null);
});

Deno.test("a champion's age: retrained at --max-model-age, expired (naive) at twice that", () => {
  const trainedTo = 0;
  let s = withChampion(emptyState(), "v0001");
  s = { ...s, lastRetrainAt: 0 };
  const o = { ...OPTS, retrainEveryMs: 100 * HOUR };
  assert.equal(retrainDue(s, o, 47 * HOUR, trainedTo), false);
  assert.equal(retrainDue(s, o, 48 * HOUR, trainedTo), true, "due at the maximum age");
  s = { ...s, lastRetrainAt: 48 * HOUR };
  assert.equal(retrainDue(s, o, 60 * HOUR, trainedTo), false, "not again until the next period");
  let j = judge(s, o, 95 * HOUR, trainedTo);
  assert.deepEqual(j.events, []);
  j = judge(s, o, 96 * HOUR, trainedTo);
  assert.deepEqual(j.events.map((e) => e.kind), ["expire"]);
  assert.match(fallbackReason(j.state)!, /expired/);
  // Expired, it is retrained at once again, so a challenger can replace naive before the next period.
  assert.equal(retrainDue(j.state, o, 96 * HOUR, trainedTo), true, "due again at expiry");
  const retried = { ...j.state, lastRetrainAt: 96 * HOUR };
  assert.equal(retrainDue(retried, o, 120 * HOUR, trainedTo), false, "once, then every period");
  assert.equal(retrainDue(retried, o, 196 * HOUR, trainedTo), true);
  // A new champion (a promotion) ends it.
  assert.equal(fallbackReason(withChampion(j.state, "v0002")), null);
});

Deno.test("retraining is due every --retrain-every, never while a challenger is in shadow", () => {
  let s = withChampion(emptyState(), "v0001");
  assert.equal(retrainDue(s, OPTS, 5 * HOUR, 0), false);
  assert.equal(retrainDue(s, OPTS, 6 * HOUR, 0), true);
  s = withChallenger({ ...s, lastRetrainAt: 6 * HOUR }, "v0002", 6 * HOUR);
  assert.equal(retrainDue(s, OPTS, 20 * HOUR, 0), false);
  assert.equal(
    retrainDue(emptyState(), OPTS, 20 * HOUR, 0),
    false,
    "no champion: the first model's trainer runs",
  );
});

Deno.test("errors of other versions are not counted, and the lists stay within the cap", () => {
  const closes = market(600, Infinity);
  let s = withChallenger(withChampion(emptyState(), "v0001"), "v0002", 0);
  for (let m = 1; m < 500; m++) {
    s = recordRealised(s, realised(closes, m, { champion: ["v0001", 0.3], challenger: ["v0002", 0.3] }), 200);
  }
  assert.equal(s.champion?.errors.length, 200);
  assert.equal(s.challenger?.errors.length, 200);
  s = withChallenger(withChampion(emptyState(), "v0001"), "v0002", 0);
  for (let m = 1; m < 50; m++) {
    s = recordRealised(s, realised(closes, m, { champion: ["v0009", 0.3], challenger: ["v0002", 0.3] }), 200);
  }
  assert.equal(s.champion?.errors.length, 0, "a prediction of another champion is not the champion's");
  assert.equal(
    s.challenger?.errors.length,
    0,
    "nor is the challenger judged on it: there is no champion's forecast to pair it with",
  );
});

Deno.test("after the champion expires, a retrained challenger as good as it is promoted over naive", () => {
  const closes = market(3000, Infinity, 11);
  // The same slope: live, neither is better than the other, and both are better than naive.
  const slopes = { v0001: 0.3, v0002: 0.3 };
  const old = -100 * HOUR; // trained long before: expired at the first judgement
  let r = run(withChampion(emptyState(), "v0001"), closes, 1, 200, slopes, old);
  assert.deepEqual(r.events.map((e) => e.kind), ["expire"]);
  // Judged on its 120th row, with the expired champion's training end: the new champion is not aged by it.
  r = run(withChallenger(r.state, "v0002", 200 * MIN), closes, 200, 200 + OPTS.shadow, slopes, old);
  const promoted = r.events.find((e) => e.kind === "promote");
  assert.ok(promoted && promoted.kind === "promote", JSON.stringify(r.events));
  assert.match(promoted.reason, /^beats naive live while naive serves: live MAE .* vs naive .* on 120 rows/);
  assert.equal(r.state.champion?.version, "v0002");
  assert.equal(fallbackReason(r.state), null, "the new champion serves");

  // While the champion serves, the same challenger is only churn: retired.
  const fresh = run(withChallenger(withChampion(emptyState(), "v0001"), "v0002", 0), closes, 1, 200, slopes);
  const retired = fresh.events.find((e) => e.kind === "retire");
  assert.ok(retired, JSON.stringify(fresh.events));
  assert.match(retired.reason, /^not (significantly )?better than the champion|^not significantly better/);
  assert.equal(fresh.state.champion?.version, "v0001");
});

Deno.test("past its maximum age, the champion gives way to a challenger that is better live, significant or not", () => {
  const closes = market(3000, Infinity, 2);
  const slopes = { v0001: 0.2, v0002: 0.3 };
  const run2 = (trainedTo: number) =>
    run(withChallenger(withChampion(emptyState(), "v0001"), "v0002", 0), closes, 1, 200, slopes, trainedTo);
  // Within its age, a small lead is not enough.
  const fresh = run2(0);
  assert.match(fresh.events.find((e) => e.kind === "retire")?.reason ?? "", /^not significantly better/);
  // 50 hours old at the judgement (past the 48 h maximum, short of the 96 h expiry): it is.
  const aged = run2(-50 * HOUR);
  const promoted = aged.events.find((e) => e.kind === "promote");
  assert.ok(promoted, JSON.stringify(aged.events));
  assert.match(promoted.reason, /^beats the champion, past its maximum age, live: /);
  assert.equal(aged.state.champion?.version, "v0002");
});

Deno.test("a challenger judged as its champion expires is judged against naive, which is about to serve", () => {
  const closes = market(3000, Infinity, 2);
  // Its 60th shadow row is realised in the minute the champion reaches twice its maximum age.
  const shadow = { ...OPTS, shadow: 60 };
  let s = withChallenger(withChampion(emptyState(), "v0001"), "v0002", 0);
  for (let m = 1; m <= 60; m++) {
    s = recordRealised(s, realised(closes, m, { champion: ["v0001", 0.3], challenger: ["v0002", 0.2] }), 200);
  }
  const trainedTo = (61 * MIN) - 2 * OPTS.maxAgeMs;
  const { state, events } = judge(s, shadow, 61 * MIN, trainedTo);
  const verdict = events.find((e) => e.kind === "promote" || e.kind === "retire")!;
  assert.ok(verdict, JSON.stringify(events));
  assert.match(
    verdict.reason,
    /the champion out of service/,
    "judged against naive, not the expiring champion",
  );
  if (verdict.kind === "promote") assert.equal(fallbackReason(state), null);
});
