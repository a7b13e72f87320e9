/**
 * The conformal intervals of a training run walked row by row over a year of one-minute candles
 * (525,600 rows, five folds, horizon 5): each row's quantile from every close realised before it,
 * beside the walk-forward evaluation of ridge on the same rows. The returns follow a volatility
 * that switches regime every 200 minutes, as the intervals meet on real candles, and the rows carry
 * the range features the intervals' σ is learnt from.
 */
import { intervalReport } from "../src/model/conformal.ts";
import type { Dataset } from "../src/model/dataset.ts";
import { walkForward } from "../src/model/evaluate.ts";
import { walkForwardFolds } from "../src/model/folds.ts";
import { SCALE_INPUTS } from "../src/model/interval_scale.ts";
import { seededRandom } from "../src/util/random.ts";
import type { BenchResult } from "./ws_frames.ts";

function yearOfMinutes(n: number): Dataset {
  const r = seededRandom(1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const features = ["signal", ...SCALE_INPUTS];
  const F = features.length;
  const X = new Float64Array(n * F), y = new Float64Array(n), time = new Float64Array(n);
  const close = new Float64Array(n).fill(100);
  let vol = 0.001, last = 0, five = 0;
  for (let i = 0; i < n; i++) {
    if (i % 200 === 0) vol = r() < 0.5 ? 0.0005 : 0.004;
    const range = vol * (1.6 + 0.3 * Math.abs(gauss()));
    // The range features that the intervals' σ learns from, as a candle of this volatility has them.
    X.set([gauss() * vol, vol, vol * 1.7, range / 2, -range / 2, last, five, 9 * vol, -9 * vol], i * F);
    y[i] = 0.3 * X[i * F]! + vol * gauss();
    last = vol * gauss();
    five = 0.8 * five + last;
    time[i] = i * 60_000;
  }
  return {
    pair: "BTC/USD",
    window: "1m",
    horizon: 5,
    features,
    X,
    y,
    close,
    targetClose: close,
    sma: close,
    time,
    n,
    range: { from: 0, to: time[n - 1]! },
    hash: "",
  };
}

export function benchIntervals(): BenchResult {
  const ds = yearOfMinutes(525_600);
  const folds = walkForwardFolds(ds.time, { folds: 5, embargoMs: 5 * 60_000 });
  const config = { kind: "ridge" as const, lambda: 1e-6 };
  let t0 = performance.now();
  const evaluation = walkForward(ds, folds, config);
  const walkSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const report = intervalReport(ds, folds, config, evaluation, 5);
  const seconds = (performance.now() - t0) / 1000;
  const cover = report.overall.map((l) => `${(l.coverage * 100).toFixed(1)}% at ${l.level * 100}%`).join(
    ", ",
  );
  console.log(
    `  intervals on ${ds.n.toLocaleString("en-US")} rows: ${seconds.toFixed(2)} s, coverage ${cover}`,
  );
  return {
    name: "conformal intervals row by row, a year of 1m rows",
    value: seconds,
    unit: "s",
    reference: "ridge walk-forward on the same rows (s)",
    referenceValue: walkSeconds,
    ratio: seconds / walkSeconds,
    target: "< 10 s",
    pass: seconds < 10,
  };
}
