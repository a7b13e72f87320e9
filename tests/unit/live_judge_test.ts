import { assert, assertEquals } from "../assert.ts";
import { guard, judgeChallenger, modelAge } from "../../src/model/live_judge.ts";
import { absolute, gaussians } from "../helpers.ts";

Deno.test("a challenger waits for its shadow rows, then is promoted only when significantly better", () => {
  const truth = gaussians(300, 5);
  const naive = absolute(truth);
  const champion = absolute(truth.map((y, i) => y - 0.1 * y + 0.05 * gaussians(300, 6)[i]!));
  const strong = absolute(truth.map((y, i) => y - 0.7 * y + 0.05 * gaussians(300, 7)[i]!));
  const options = { shadow: 120, alpha: 0.05, horizon: 1 };
  const wait = judgeChallenger(
    { champion: champion.slice(0, 50), naive, challenger: strong.slice(0, 50) },
    options,
  );
  assertEquals(wait, { decision: "waiting", realised: 50, needed: 120 });
  const verdict = judgeChallenger({ champion, naive, challenger: strong }, options);
  assertEquals(verdict.decision, "promote");
  const weak = judgeChallenger({ champion, naive, challenger: naive.map((x) => x * 1.01) }, options);
  assertEquals(weak.decision, "retire");
  assert(weak.decision === "retire" && weak.reason.startsWith("not better than naive"), JSON.stringify(weak));
});

Deno.test("while naive serves, a challenger is judged against naive, not the champion out of service", () => {
  const truth = gaussians(300, 5);
  const naive = absolute(truth);
  const champion = absolute(truth.map((y, i) => y - 0.1 * y + 0.05 * gaussians(300, 6)[i]!));
  // As good as the champion, no better: churn while the champion serves.
  const same = absolute(truth.map((y, i) => y - 0.1 * y + 0.05 * gaussians(300, 9)[i]!));
  const options = { shadow: 120, alpha: 0.05, horizon: 1 };
  assertEquals(judgeChallenger({ champion, naive, challenger: same }, options).decision, "retire");
  const overNaive = judgeChallenger({ champion, naive, challenger: same }, { ...options, serving: "naive" });
  assertEquals(overNaive.decision, "promote");
  assert(
    overNaive.decision === "promote" && overNaive.reason.startsWith("beats naive live while naive serves"),
  );
  // The verdict names what it was held against, and its reason gives that test's p-value.
  assert(overNaive.decision === "promote" && overNaive.against === "naive");
  assert(overNaive.reason.endsWith(`DM p=${overNaive.vsNaive.pBetter.toPrecision(3)}`), overNaive.reason);
  const worse = judgeChallenger(
    { champion, naive, challenger: naive.map((x) => x * 1.01) },
    { ...options, serving: "naive" },
  );
  assert(
    worse.decision === "retire" && worse.reason.startsWith("not better than naive"),
    JSON.stringify(worse),
  );
});

Deno.test("a challenger a little better than a champion past its maximum age replaces it without significance", () => {
  const truth = gaussians(300, 5);
  const naive = absolute(truth);
  const champion = absolute(truth.map((y, i) => y - 0.1 * y + 0.05 * gaussians(300, 6)[i]!));
  const noise = gaussians(300, 12, 0.05);
  const little = champion.map((x, i) => Math.max(0, x * 0.999 + noise[i]!));
  const options = { shadow: 120, alpha: 0.05, horizon: 1 };
  const fresh = judgeChallenger({ champion, naive, challenger: little }, options);
  assert(
    fresh.decision === "retire" && fresh.reason.startsWith("not significantly better"),
    JSON.stringify(fresh),
  );
  const aged = judgeChallenger({ champion, naive, challenger: little }, { ...options, serving: "aged" });
  assert(aged.decision === "promote" && aged.reason.startsWith("beats the champion, past its maximum age"));
  const worse = judgeChallenger(
    { champion, naive, challenger: champion.map((x) => x * 1.001) },
    { ...options, serving: "aged" },
  );
  assert(worse.decision === "retire" && worse.reason.startsWith("not better than the champion"));
});

Deno.test("the guard falls back when the champion is significantly worse than naive, and comes back without flapping", () => {
  const truth = gaussians(400, 8);
  const naive = absolute(truth);
  const bad = absolute(truth.map((y) => y + 0.5));
  const options = { guard: 100, alpha: 0.05, horizon: 1 };
  const on = { fallback: false, reason: "" };
  assertEquals(guard(on, { champion: bad.slice(0, 99), naive: naive.slice(0, 99) }, options), on);
  const fallen = guard(on, { champion: bad, naive }, options);
  assert(fallen.fallback, fallen.reason);
  // Slightly worse than naive, not significantly: stays on fallback (no flapping back).
  const noise = gaussians(400, 10, 0.3);
  const slightly = naive.map((x, i) => Math.max(0, x + 0.01 + noise[i]!));
  assertEquals(guard(fallen, { champion: slightly, naive }, options), fallen);
  // And an ok champion is not pushed to fallback by the same figures.
  assertEquals(guard(on, { champion: slightly, naive }, options).fallback, false);
  const good = naive.map((x) => x * 0.9);
  assertEquals(guard(fallen, { champion: good, naive }, options).fallback, false);
});

Deno.test("a champion worse than naive by a hair, however significant, is not demoted under a margin", () => {
  const truth = gaussians(200, 4);
  const naive = absolute(truth);
  // Consistently 0.5% worse, with almost no spread: significant, and immaterial.
  const hair = naive.map((x) => x * 1.005 + 1e-9);
  const options = { guard: 100, alpha: 0.01, horizon: 1 };
  const on = { fallback: false, reason: "" };
  assert(guard(on, { champion: hair, naive }, options).fallback, "without a margin it falls back");
  assertEquals(guard(on, { champion: hair, naive }, { ...options, margin: 0.01 }).fallback, false);
  const worse = naive.map((x) => x * 1.02 + 1e-9);
  assert(guard(on, { champion: worse, naive }, { ...options, margin: 0.01 }).fallback);
});

Deno.test("a model is due for retraining at its maximum age and expires at twice it", () => {
  const day = 86_400_000;
  assertEquals(modelAge(0, day, 2 * day), "fresh");
  assertEquals(modelAge(0, 2 * day, 2 * day), "retrain");
  assertEquals(modelAge(0, 4 * day, 2 * day), "expired");
});
