/**
 * What the model registry records about a model version (its card) and which version serves (the
 * promotion file), and the name a (pair, window, horizon) model goes by. Plain data, written as
 * JSON beside each version; see `src/registry/registry.ts` for the files.
 */
import type { Window } from "./candle.ts";
import type { OtherPairs } from "./feature_row.ts";
import type { IntervalReport } from "../model/conformal.ts";
import type { VsNaive } from "../model/evaluate.ts";
import type { Importance } from "../model/importance.ts";
import type { Compared, FoldReport } from "../model/metrics.ts";
import type { ModelConfig } from "../model/models.ts";

export interface ModelCard {
  name: string;
  version: string;
  pair: string;
  window: Window;
  horizon: number;
  /** The model's inputs, in order (see `model/features.ts`). */
  features: string[];
  other_pairs: string[];
  /**
   * How many windows before each row's own the other pairs' columns come from (`OTHER_PAIRS_LAG`);
   * absent on cards from before, whose rows carried the same window's (0).
   */
  other_pairs_lag?: number;
  data: { rows: number; from: string; to: string; hash: string };
  model: ModelConfig & { rounds?: number };
  search: { budget: number; seed: number; trials: number; best_validation_mae_return: number };
  folds: FoldReport[];
  overall: Compared;
  /** Whether the lead over naive on the test folds could be luck (absent on older cards). */
  vs_naive?: VsNaive;
  /** The same against the drift baseline, each fold's median training return (absent on older cards). */
  vs_drift?: VsNaive;
  /** Conformal prediction intervals: the served quantiles and their measured coverage (absent on older cards). */
  intervals?: IntervalReport;
  /** Why the model predicts what it does, per input (absent on older cards). */
  importance?: Importance;
  onnx: { input: string; output: string; output_is: "log_return"; parity_max_rel_diff: number };
  /**
   * The gate's verdict; `forced` marks a version promoted by a drill without training (its metrics
   * and setting are the champion's it copied, kept for comparisons, not its own).
   */
  decision: { promoted: boolean; reason: string; forced?: boolean };
  code_version: string;
  created_at: string;
}

export interface Promotion {
  version: string;
  at: string;
  by: "train" | "promote" | "rollback" | "shadow";
  reason: string;
}

export interface PromotedFile {
  current: string | null;
  /** Versions promoted and not rolled back, oldest first; the last is the current one. */
  stack: string[];
  history: Promotion[];
}

/**
 * The registry name of the model of one series and horizon.
 *
 * @example
 * ```ts
 * modelName("BTC/USD", "1m", 1); // "btc-usd_1m_h1"
 * ```
 */
export function modelName(pair: string, window: Window, horizon: number): string {
  return `${pair.toLowerCase().replace("/", "-")}_${window}_h${horizon}`;
}

/** The other pairs a model reads and the windows they lag by, as it was trained. */
export function cardOtherPairs(card: Pick<ModelCard, "other_pairs" | "other_pairs_lag">): OtherPairs {
  return { pairs: card.other_pairs, lag: card.other_pairs_lag ?? 0 };
}

/** The fields of a card every reader goes through: the series, the inputs, the metrics and the verdict. */
const CARD_STRINGS = ["pair", "window"] as const;
const CARD_OBJECTS = ["data", "model", "overall", "decision"] as const;

/**
 * Why `value`, a parsed `card.json`, cannot be read as a model card, or null when it can. Fields
 * added since the first cards are optional and not asked for; a card edited or written by hand
 * without the others would fail later on a property of `undefined`, far from the file.
 *
 * @example
 * ```ts
 * modelCardProblem({}); // "it has no pair, window, horizon, features, data, model, overall, decision"
 * ```
 */
export function modelCardProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "it is not a JSON object";
  const card = value as Record<string, unknown>;
  const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  const missing = [
    ...CARD_STRINGS.filter((k) => typeof card[k] !== "string"),
    ...(typeof card.horizon === "number" ? [] : ["horizon"]),
    ...(Array.isArray(card.features) ? [] : ["features"]),
    ...CARD_OBJECTS.filter((k) => !isObject(card[k])),
  ];
  return missing.length === 0 ? null : `it has no ${missing.join(", ")}`;
}
