/**
 * The promotion gate: a trained model serves only when it beats the naive baseline and the model
 * serving now, measured on the same folds.
 */

/**
 * The promoted model on the new folds: its one setting walked forward (`mae`), beside the new
 * model's served setting walked forward the same way (`candidateMae`). The promoted setting was
 * chosen on rows that may now be test rows, so the two fixed settings are compared alike rather
 * than against the per-fold choice the reported MAE comes from.
 */
export interface PromotedOnFolds {
  version: string;
  mae: number;
  candidateMae?: number;
}

/** Strictly better than naive, and than the promoted model on the same folds; the reason either way. */
export function decide(
  modelMae: number,
  naiveMae: number,
  promoted: PromotedOnFolds | null,
): {
  promoted: boolean;
  reason: string;
} {
  if (!(modelMae < naiveMae)) {
    return {
      promoted: false,
      reason: `MAE ${modelMae.toPrecision(6)} is not below the naive baseline's ${naiveMae.toPrecision(6)}`,
    };
  }
  const mine = promoted?.candidateMae ?? modelMae;
  const alike = promoted?.candidateMae === undefined ? "" : ", each setting walked forward alike";
  if (promoted && !(mine < promoted.mae)) {
    return {
      promoted: false,
      reason: `MAE ${mine.toPrecision(6)} is not below the promoted ${promoted.version}'s ` +
        `${promoted.mae.toPrecision(6)} on the same folds${alike}`,
    };
  }
  return {
    promoted: true,
    reason: promoted
      ? `MAE ${modelMae.toPrecision(6)} beats naive ${naiveMae.toPrecision(6)}, and ${
        mine.toPrecision(6)
      } beats ${promoted.version}'s ${promoted.mae.toPrecision(6)}${alike}`
      : `MAE ${modelMae.toPrecision(6)} beats naive ${naiveMae.toPrecision(6)}; no model was promoted before`,
  };
}
