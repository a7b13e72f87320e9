/**
 * The promotion gate: a trained model serves only when it beats the naive baseline and the model
 * serving now, measured on the same folds.
 */

/** Strictly better than naive, and than the promoted model on the same folds; the reason either way. */
export function decide(
  modelMae: number,
  naiveMae: number,
  promoted: { version: string; mae: number } | null,
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
  if (promoted && !(modelMae < promoted.mae)) {
    return {
      promoted: false,
      reason: `MAE ${modelMae.toPrecision(6)} is not below the promoted ${promoted.version}'s ` +
        `${promoted.mae.toPrecision(6)} on the same folds`,
    };
  }
  return {
    promoted: true,
    reason: promoted
      ? `MAE ${modelMae.toPrecision(6)} beats naive ${naiveMae.toPrecision(6)} and ${promoted.version}'s ${
        promoted.mae.toPrecision(6)
      }`
      : `MAE ${modelMae.toPrecision(6)} beats naive ${naiveMae.toPrecision(6)}; no model was promoted before`,
  };
}
