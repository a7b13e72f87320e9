import { fitGbdt, predictGbdt } from "./src/model/gbdt.ts";
import { seededRandom } from "./src/model/random.ts";
const n = 100_000, F = 40;
const r = seededRandom(1);
const X = new Float64Array(n * F), y = new Float64Array(n);
for (let i = 0; i < n; i++) {
  for (let f = 0; f < F; f++) X[i * F + f] = r() * 2 - 1;
  y[i] = (X[i * F] > 0 ? 1 : -1) + 0.5 * X[i * F + 1] * X[i * F + 2] + 0.1 * (r() - 0.5);
}
const t0 = performance.now();
const m = fitGbdt(X, y, n, F, { rounds: 300, maxDepth: 6, maxLeaves: 64, earlyStoppingRounds: 1000 });
console.log(
  "train s",
  ((performance.now() - t0) / 1000).toFixed(2),
  "rounds",
  m.rounds,
  "loss",
  m.trainLoss.at(-1),
  m.validLoss.at(-1),
);
const p = predictGbdt(m, X, 1000, F);
let mae = 0;
for (let i = 0; i < 1000; i++) mae += Math.abs(p[i] - y[i]);
console.log("mae", mae / 1000);
import { checkParity, gbdtOnnx, ridgeOnnx } from "./src/model/onnx_export.ts";
import { fitRidge, predictRidge } from "./src/model/ridge.ts";
const bytes = gbdtOnnx(m, F, "t", {});
console.log("onnx bytes", bytes.length);
console.log(await checkParity(bytes, X, 2000, F, predictGbdt(m, X, 2000, F)));
const rm = fitRidge(X, y, n, F, 1e-3);
console.log(await checkParity(ridgeOnnx(rm, "r", {}), X, 2000, F, predictRidge(rm, X, 2000, F)));
