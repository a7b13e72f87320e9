/** The model loop's flags, shared by `start` and `demo` (see src/system/model_loop.ts). */
import { flag } from "./flag.ts";

export const LOOP = {
  retrainEveryMs: flag.duration("retrain-every", {
    default: "6h",
    help: "market time between retrainings of each series (e.g. 90m, 6h, 1d)",
  }),
  trainWindowMs: flag.duration("train-window", {
    default: "7d",
    help: "the latest history a retraining reads",
  }),
  shadow: flag.number("shadow", {
    min: 10,
    below: 1001,
    integer: true,
    default: "120",
    help: "realised shadow predictions before a challenger is promoted or retired",
  }),
  guard: flag.number("guard", {
    min: 10,
    below: 1001,
    integer: true,
    default: "120",
    help: "realised predictions the champion is compared with naive on (fallback when significantly worse)",
  }),
  maxModelAgeMs: flag.duration("max-model-age", {
    default: "2d",
    help: "age of the champion's training data that forces a retraining; twice this falls back to naive",
  }),
};
