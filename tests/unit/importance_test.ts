import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { fitGbdt } from "../../src/model/gbdt.ts";
import { importance } from "../../src/model/importance.ts";
import { fitModel } from "../../src/model/models.ts";
import { fitRidge } from "../../src/model/ridge.ts";
import { seededRandom } from "../../src/util/random.ts";

// y depends strongly on x0, weakly (negatively) on x1, not at all on x2.
function data(n: number) {
  const r = seededRandom(3);
  const X = new Float64Array(n * 3), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < 3; f++) X[i * 3 + f] = r() - 0.5;
    y[i] = 2 * X[i * 3]! - 0.3 * X[i * 3 + 1]! + 0.01 * (r() - 0.5);
  }
  return { X, y, n };
}
const names = ["x0", "x1", "x2"];

Deno.test("gain importance ranks the input the target depends on first and the unused one last", () => {
  const { X, y, n } = data(3000);
  const imp = importance(fitGbdt(X, y, n, 3, { rounds: 50, seed: 1 }), names);
  assertEquals(imp.method, "gain");
  assertEquals(imp.features.map((f) => f.name), ["x0", "x1", "x2"]);
  assertAlmostEquals(imp.features.reduce((a, f) => a + f.share, 0), 1, 1e-9);
  assert(imp.features[0]!.share > 0.8, JSON.stringify(imp));
});

Deno.test("ridge importance is the share of the standardised coefficients, with their signs", () => {
  const { X, y, n } = data(3000);
  const imp = importance(fitRidge(X, y, n, 3, 1e-6), names);
  assertEquals(imp.method, "standardised coefficients");
  assertEquals(imp.features.map((f) => f.name), ["x0", "x1", "x2"]);
  assert(imp.features[0]!.coefficient! > 0 && imp.features[1]!.coefficient! < 0, JSON.stringify(imp));
  // One standard deviation of a uniform(−½, ½) input is 1/√12.
  assertAlmostEquals(imp.features[0]!.coefficient!, 2 / Math.sqrt(12), 0.01);
});

Deno.test("a blend's importance is the mean of its members' shares", () => {
  const { X, y, n } = data(2000);
  const fitted = fitModel(
    {
      kind: "blend",
      members: [{ kind: "ridge", lambda: 1e-6 }, { kind: "gbdt", params: { rounds: 30 } }],
      shrink: 0.5,
    },
    X,
    y,
    n,
    3,
  );
  const imp = importance(fitted.model, names);
  assertEquals(imp.method, "mean of members");
  assertEquals(imp.features[0]!.name, "x0");
  assertAlmostEquals(imp.features.reduce((a, f) => a + f.share, 0), 1, 1e-9);
});
