/**
 * A deliberately bad model for drills: the serving champion's card with an ONNX graph that ignores
 * its features and predicts the same log return every candle. Registered as a new version and
 * promoted like any other, it shows the model loop's guard at work (the demo's `--bad-model-at`,
 * and the tests): the series must fall back to naive on live evidence.
 */
import type { WritableModelRegistry } from "../domain/ports.ts";
import { modelOnnx } from "./onnx_export.ts";

/** Registers and promotes a copy of `name`'s champion that always predicts `bias`; returns its version. */
export async function promoteBiasedModel(
  registry: WritableModelRegistry,
  name: string,
  bias: number,
  at: string,
): Promise<string> {
  const champion = await registry.promoted(name);
  if (!champion) throw new Error(`${name} has no promoted model to copy`);
  const F = champion.features.length;
  const onnx = modelOnnx(
    {
      kind: "ridge",
      mean: new Array(F).fill(0),
      std: new Array(F).fill(1),
      weights: new Array(F).fill(0),
      intercept: bias,
      lambda: 0,
    },
    F,
    `${name}: a constant ${bias} log return (a deliberately biased model)`,
    { pair: champion.pair, window: champion.window, horizon: String(champion.horizon) },
  );
  const version = await registry.reserve(name);
  const reason = `deliberately biased: predicts a ${bias} log return every candle`;
  const { intervals: _intervals, importance: _importance, vs_naive: _vsNaive, vs_drift: _vsDrift, ...rest } =
    champion;
  await registry.save({
    ...rest,
    // The champion's setting stays on the card: a retraining re-fits the promoted setting to
    // compare with, and a constant has none worth re-fitting.
    version,
    decision: { promoted: true, reason, forced: true },
    created_at: at,
  }, onnx);
  await registry.log(name, { at, version, event: "forced", reason });
  await registry.promote(name, version, "promote", reason);
  return version;
}
