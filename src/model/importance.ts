/**
 * Why a model predicts what it does, per input: for GBDT the share of the loss reduction its
 * splits on that input bring (gain importance), for ridge the share of the absolute standardised
 * coefficients (the effect of one standard deviation of the input, in log return) with the signed
 * coefficient beside it, and for a blend the mean of its members' shares.
 */
import type { GbdtModel } from "./gbdt.ts";
import type { PriceModel } from "./models.ts";
import type { RidgeModel } from "./ridge.ts";

export interface FeatureImportance {
  name: string;
  /** Share of the model's importance, in [0, 1]; the shares sum to 1 (or are all 0). */
  share: number;
  /** Ridge only: the standardised coefficient, signed (mean of the ridge members for a blend). */
  coefficient?: number;
}

export interface Importance {
  method: "gain" | "standardised coefficients" | "mean of members";
  /** Most important first. */
  features: FeatureImportance[];
}

const shares = (values: readonly number[]): number[] => {
  const total = values.reduce((a, v) => a + Math.abs(v), 0);
  return values.map((v) => (total > 0 ? Math.abs(v) / total : 0));
};

function perFeature(model: RidgeModel | GbdtModel): { share: number[]; coefficient?: number[] } {
  if (model.kind === "ridge") return { share: shares(model.weights), coefficient: [...model.weights] };
  return { share: shares(model.gain) };
}

/** The importance of each of `names` (the model's inputs, in order) in `model`. */
export function importance(model: PriceModel, names: readonly string[]): Importance {
  const members = model.kind === "blend" ? model.members : [model];
  const parts = members.map(perFeature);
  const ridges = parts.filter((p) => p.coefficient);
  const features = names.map((name, f): FeatureImportance => {
    const out: FeatureImportance = {
      name,
      share: parts.reduce((a, p) => a + (p.share[f] ?? 0), 0) / parts.length,
    };
    if (ridges.length) out.coefficient = ridges.reduce((a, p) => a + p.coefficient![f]!, 0) / ridges.length;
    return out;
  });
  const method = model.kind === "blend"
    ? "mean of members"
    : model.kind === "gbdt"
    ? "gain"
    : "standardised coefficients";
  return { method, features: features.sort((a, b) => b.share - a.share) };
}
