/**
 * The price models by configuration: fitting and predicting any of them the same way. A blend is
 * the mean of a few settings' predictions, shrunk toward "no change" by a factor in [0, 1]: a weak
 * return forecast is mostly noise, and scaling it down costs less MAE than it saves.
 */
import { fitGbdt, type GbdtModel, type GbdtParams, predictGbdt } from "./gbdt.ts";
import { fitRidge, predictRidge, type RidgeModel } from "./ridge.ts";

export type SingleConfig =
  | { kind: "ridge"; lambda: number }
  | { kind: "gbdt"; params: Partial<GbdtParams> };

type GbdtConfig = Extract<SingleConfig, { kind: "gbdt" }>;

export type BlendConfig = { kind: "blend"; members: SingleConfig[]; shrink: number };

export type ModelConfig = SingleConfig | BlendConfig;

export interface BlendModel {
  kind: "blend";
  members: (RidgeModel | GbdtModel)[];
  shrink: number;
}

export type PriceModel = RidgeModel | GbdtModel | BlendModel;

export interface Fitted {
  config: ModelConfig;
  model: PriceModel;
  predict(X: Float64Array, n: number): Float64Array;
}

function checkBlend(config: BlendConfig): void {
  if (config.members.length === 0) throw new RangeError("a blend needs at least one member");
  if (!(config.shrink >= 0 && config.shrink <= 1)) {
    throw new RangeError(`a blend's shrink must be in [0, 1], got ${config.shrink}`);
  }
}

/** Predicted log returns of any fitted model on rows `X` (row-major [n, F]). */
export function predictModel(model: PriceModel, X: Float64Array, n: number, F: number): Float64Array {
  if (model.kind === "ridge") return predictRidge(model, X, n, F);
  if (model.kind === "gbdt") return predictGbdt(model, X, n, F);
  const out = new Float64Array(n);
  for (const m of model.members) {
    const p = predictModel(m, X, n, F);
    for (let i = 0; i < n; i++) out[i]! += p[i]!;
  }
  const scale = model.shrink / model.members.length;
  for (let i = 0; i < n; i++) out[i]! *= scale;
  return out;
}

function fitSingle(
  config: SingleConfig,
  X: Float64Array,
  y: Float64Array,
  n: number,
  F: number,
  horizon: number,
) {
  return config.kind === "ridge"
    ? fitRidge(X, y, n, F, config.lambda)
    : fitGbdt(X, y, n, F, { ...config.params, validationGap: horizon });
}

/**
 * Fits `config` on rows `X` (row-major [n, F], in time order) and targets `y`, returns `horizon`
 * rows ahead (1 unless given): GBDT's early-stopping rows are kept that far from its fitted ones.
 */
export function fitModel(
  config: ModelConfig,
  X: Float64Array,
  y: Float64Array,
  n: number,
  F: number,
  horizon = 1,
): Fitted {
  let model: PriceModel;
  if (config.kind === "blend") {
    checkBlend(config);
    model = {
      kind: "blend",
      members: config.members.map((c) => fitSingle(c, X, y, n, F, horizon)),
      shrink: config.shrink,
    };
  } else model = fitSingle(config, X, y, n, F, horizon);
  return { config, model, predict: (Xt, nt) => predictModel(model, Xt, nt, F) };
}

/** The setting as a card records it: each GBDT with the rounds its final fit kept. */
export function recordedSetting(config: ModelConfig, model: PriceModel): ModelConfig & { rounds?: number } {
  const single = (c: SingleConfig, m: RidgeModel | GbdtModel) =>
    m.kind === "gbdt" ? { ...c, rounds: m.rounds } : c;
  if (config.kind === "blend" && model.kind === "blend") {
    return { ...config, members: config.members.map((c, j) => single(c, model.members[j]!)) };
  }
  return config.kind !== "blend" && model.kind !== "blend" ? single(config, model) : config;
}

/**
 * The setting a card records, without what the final fit added (GBDT's `rounds` kept), so the
 * same setting can be fitted again on other folds.
 */
export function settingOf(recorded: ModelConfig & { rounds?: number }): ModelConfig {
  const single = (c: SingleConfig): SingleConfig =>
    c.kind === "ridge" ? { kind: "ridge", lambda: c.lambda } : { kind: "gbdt", params: c.params };
  return recorded.kind === "blend"
    ? { kind: "blend", members: recorded.members.map(single), shrink: recorded.shrink }
    : single(recorded);
}

/** A blend's shrink factor to two places, or to one significant digit when that would read 0.00. */
function shrinkText(shrink: number): string {
  return shrink === 0 || shrink >= 0.005 ? shrink.toFixed(2) : shrink.toPrecision(1);
}

export function describe(config: ModelConfig): string {
  if (config.kind === "blend") {
    const shrink = shrinkText(config.shrink);
    // Past a few members their settings are a wall of text; the card and --json keep them all.
    if (config.members.length > 3) {
      const gbdt = config.members.filter((m) => m.kind === "gbdt").length;
      const kinds = [
        gbdt ? `${gbdt} gbdt` : "",
        gbdt < config.members.length ? `${config.members.length - gbdt} ridge` : "",
      ];
      return `${shrink} × mean of ${config.members.length} settings (${kinds.filter(Boolean).join(", ")})`;
    }
    return `${shrink} × mean of ${config.members.map(describe).join(", ")}`;
  }
  if (config.kind === "ridge") return `ridge(lambda=${config.lambda.toPrecision(3)})`;
  const p = config.params;
  return `gbdt(${p.loss ?? "l2"}, depth=${p.maxDepth}, leaves=${p.maxLeaves}, lr=${
    p.learningRate?.toPrecision(2)
  }, ` +
    `min_leaf=${p.minSamplesLeaf}, subsample=${p.subsample?.toFixed(2)}, colsample=${
      p.colsample?.toFixed(2)
    })`;
}

/**
 * A recorded setting in a few words, for tables: `ridge λ=1.0`, `gbdt 40 trees`, or a blend as its
 * shrink and members (`0.75 × (gbdt 40 trees, ridge λ=1.0)`).
 */
export function modelSummary(recorded: ModelConfig & { rounds?: number }): string {
  if (recorded.kind === "blend") {
    const shrink = shrinkText(recorded.shrink), members = recorded.members;
    if (members.length > 3) {
      const gbdt = members.filter((m) => m.kind === "gbdt") as (GbdtConfig & { rounds?: number })[];
      const trees = gbdt.reduce((n, m) => n + (m.rounds ?? m.params.rounds ?? 0), 0);
      const parts = [
        gbdt.length ? `${gbdt.length} gbdt, ${trees} trees` : "",
        gbdt.length < members.length ? `${members.length - gbdt.length} ridge` : "",
      ];
      return `${shrink} × mean of ${members.length} (${parts.filter(Boolean).join("; ")})`;
    }
    return `${shrink} × (${members.map(modelSummary).join(", ")})`;
  }
  return recorded.kind === "ridge"
    ? `ridge λ=${recorded.lambda.toPrecision(2)}`
    : `gbdt ${recorded.rounds ?? recorded.params.rounds ?? "?"} trees`;
}
