/** The price models by configuration: fitting and predicting any of them the same way. */
import { fitGbdt, type GbdtModel, type GbdtParams, predictGbdt } from "./gbdt.ts";
import { fitRidge, predictRidge, type RidgeModel } from "./ridge.ts";

export type ModelConfig =
  | { kind: "ridge"; lambda: number }
  | { kind: "gbdt"; params: Partial<GbdtParams> };

export interface Fitted {
  config: ModelConfig;
  model: RidgeModel | GbdtModel;
  predict(X: Float64Array, n: number): Float64Array;
}

export function fitModel(
  config: ModelConfig,
  X: Float64Array,
  y: Float64Array,
  n: number,
  F: number,
): Fitted {
  if (config.kind === "ridge") {
    const model = fitRidge(X, y, n, F, config.lambda);
    return { config, model, predict: (Xt, nt) => predictRidge(model, Xt, nt, F) };
  }
  const model = fitGbdt(X, y, n, F, config.params);
  return { config, model, predict: (Xt, nt) => predictGbdt(model, Xt, nt, F) };
}

export function describe(config: ModelConfig): string {
  if (config.kind === "ridge") return `ridge(lambda=${config.lambda.toPrecision(3)})`;
  const p = config.params;
  return `gbdt(${p.loss ?? "l2"}, depth=${p.maxDepth}, leaves=${p.maxLeaves}, lr=${
    p.learningRate?.toPrecision(2)
  }, ` +
    `min_leaf=${p.minSamplesLeaf}, subsample=${p.subsample?.toFixed(2)}, colsample=${
      p.colsample?.toFixed(2)
    })`;
}
