/** A blend of ridge and GBDT settings exported to ONNX and run by onnxruntime-web. */
import { assert, assertAlmostEquals, assertRejects } from "../assert.ts";
import { fitModel, predictModel, type SingleConfig } from "../../src/model/models.ts";
import { blendOnnx, checkParity, ParityError } from "../../src/registry/onnx_export.ts";
import { seededRandom } from "../../src/util/random.ts";
import type { BlendModel } from "../../src/model/models.ts";

function data(n: number, F: number) {
  const r = seededRandom(21);
  const X = Float64Array.from({ length: n * F }, () => r() * 2 - 1);
  const y = Float64Array.from(
    { length: n },
    (_, i) => 1e-3 * (X[i * F]! > 0 ? 1 : -1) + 5e-4 * X[i * F + 1]! + 2e-4 * (r() - 0.5),
  );
  return { X, y };
}

const members: SingleConfig[] = [
  { kind: "ridge", lambda: 1e-2 },
  { kind: "gbdt", params: { rounds: 30, maxDepth: 3, seed: 1 } },
  { kind: "gbdt", params: { rounds: 25, maxDepth: 2, loss: "l1", seed: 2 } },
];

Deno.test("ONNX export: a shrunk blend of ridge and two GBDTs reproduces the model's predictions", async () => {
  const F = 4, n = 600;
  const { X, y } = data(n, F);
  const model = fitModel({ kind: "blend", members, shrink: 0.65 }, X, y, n, F).model as BlendModel;
  const expected = predictModel(model, X, n, F);
  const parity = await checkParity(blendOnnx(model, F, "blend", {}), X, n, F, expected);
  assert(parity.maxRelDiff <= 1e-5);
  // The shrink is in the graph: the same members unshrunk predict 1 / 0.65 times as much.
  const full = predictModel({ ...model, shrink: 1 }, X, n, F);
  for (let i = 0; i < n; i++) assertAlmostEquals(full[i]! * 0.65, expected[i]!, 1e-15);
  await assertRejects(
    () => checkParity(blendOnnx({ ...model, shrink: 1 }, F, "unshrunk", {}), X, n, F, expected),
    ParityError,
  );
});

Deno.test("ONNX export: a blend of ridge settings alone and of GBDTs alone both export", async () => {
  const F = 4, n = 300;
  const { X, y } = data(n, F);
  for (const kinds of [["ridge"], ["gbdt"]]) {
    const config = {
      kind: "blend" as const,
      members: members.filter((m) => kinds.includes(m.kind)),
      shrink: 0.4,
    };
    const model = fitModel(config, X, y, n, F).model as BlendModel;
    await checkParity(blendOnnx(model, F, kinds.join(), {}), X, n, F, predictModel(model, X, n, F));
  }
});
