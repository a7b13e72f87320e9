import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { dieboldMariano, studentTCdf } from "../../src/model/diebold_mariano.ts";
import { absolute, gaussians } from "../helpers.ts";

Deno.test("Student's t CDF matches the tables", () => {
  assertAlmostEquals(studentTCdf(1.812, 10), 0.95, 5e-4);
  assertAlmostEquals(studentTCdf(2.228, 10), 0.975, 5e-4);
  assertAlmostEquals(studentTCdf(-2.015, 5), 0.05, 5e-4);
  assertAlmostEquals(studentTCdf(1.96, 100_000), 0.975, 5e-4);
  assertEquals(studentTCdf(0, 7), 0.5);
});

Deno.test("Diebold–Mariano finds a clearly smaller loss, and nothing between equal forecasters", () => {
  const truth = gaussians(400, 1);
  const good = absolute(truth.map((y, i) => y - 0.8 * y + 0.1 * gaussians(400, 2)[i]!));
  const naive = absolute(truth);
  const better = dieboldMariano(good, naive, 1);
  assert(better.pBetter < 0.001, JSON.stringify(better));
  assert(better.meanDiff < 0);
  const twin = absolute(gaussians(400, 3));
  const other = absolute(gaussians(400, 4));
  const same = dieboldMariano(twin, other, 1);
  assert(same.pBetter > 0.05 && same.pWorse > 0.05, JSON.stringify(same));
});

Deno.test("Diebold–Mariano's long-run variance makes overlapping forecasts less significant", () => {
  // Loss differences that persist for 5 rows: the naive variance overstates the evidence.
  const base = gaussians(80, 9);
  const d = base.flatMap((x) => Array(5).fill(x + 0.25) as number[]);
  const zeros = d.map(() => 0);
  const h1 = dieboldMariano(d, zeros, 1), h5 = dieboldMariano(d, zeros, 5);
  assert(Math.abs(h5.statistic) < Math.abs(h1.statistic), `${h5.statistic} vs ${h1.statistic}`);
});

Deno.test("Diebold–Mariano's variance is the sum of the first h − 1 autocovariances at full weight", () => {
  const d = [0.3, 0.4, 0.2, -0.1, -0.3, -0.2, 0.5, 0.6, 0.4, 0.1, -0.2, 0.3];
  const n = d.length, h = 3;
  const mean = d.reduce((a, b) => a + b, 0) / n;
  const gamma = (k: number) => d.slice(k).reduce((s, x, i) => s + (x - mean) * (d[i]! - mean), 0) / n;
  const variance = gamma(0) + 2 * gamma(1) + 2 * gamma(2);
  assert(variance > 0);
  const hln = Math.sqrt((n + 1 - 2 * h + (h * (h - 1)) / n) / n);
  const r = dieboldMariano(d, d.map(() => 0), h);
  assertAlmostEquals(r.statistic, (mean / Math.sqrt(variance / n)) * hln, 1e-12);
  assertAlmostEquals(r.pBetter, studentTCdf(r.statistic, n - 1), 1e-12);
});

Deno.test("Diebold–Mariano keeps its size when five-candle forecasts' losses overlap", () => {
  // Equal forecasters whose loss differences are a moving sum of 5 shocks (an h = 5 overlap):
  // a 5% test should reject about 5% of the time, not more.
  const reps = 2000, n = 200, h = 5;
  let rejected = 0;
  for (let rep = 0; rep < reps; rep++) {
    const e = gaussians(n + h, 1000 + rep);
    const d = Array.from({ length: n }, (_, i) => e.slice(i, i + h).reduce((a, b) => a + b, 0));
    if (dieboldMariano(d, d.map(() => 0), h).pBetter < 0.05) rejected++;
  }
  const size = rejected / reps;
  assert(size > 0.03 && size < 0.065, `rejected ${(100 * size).toFixed(1)}% at 5%`);
});
