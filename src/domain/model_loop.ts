/**
 * What the model loop of `start` and `demo` says about one series: the champion serving and its
 * age, the challenger in shadow and its progress, whether the series has fallen back to naive and
 * why, the rolling live skill, and the last decision. /health, /metrics, /models and the
 * dashboard show it; plain `serve` has no loop, so there it is absent.
 */
export interface LoopStatus {
  /** The promoted model and the end of the data it was trained on (market clock). */
  champion: { version: string; trained_to: string; age_s: number } | null;
  /** A version that passed the offline gate, predicting in shadow until it has `needed` realised rows. */
  challenger: { version: string; realised: number; needed: number } | null;
  /** Set while the series serves naive instead of its champion. */
  fallback: { reason: string; since: string } | null;
  /** 1 − MAE(champion) / MAE(naive) over the last `--guard` realised predictions; null before any. */
  live_skill: number | null;
  /** Realised rows behind `live_skill`. */
  live_rows: number;
  /** The latest promotion, retirement, fallback, recovery, retraining or expiry, with its reason. */
  last_decision: { at: string; text: string } | null;
  retrain: { running: boolean; next_at: string | null };
  /** `--max-model-age`, seconds: a champion this old is retrained, twice this old expires. */
  max_model_age_s: number;
}
