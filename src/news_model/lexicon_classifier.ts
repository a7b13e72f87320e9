/**
 * The AFINN lexicon (./lexicon.ts) behind the `NewsClassifier` port, so `news:eval` can score it
 * like any model (`--news-model lexicon`). It has no probabilities: its score is 1.
 */
import type { NewsClassifier } from "../domain/ports.ts";
import { lexiconSignal } from "./lexicon.ts";

/** The spec that names the lexicon instead of a model. */
export const LEXICON_SPEC = "lexicon";

export function lexiconClassifier(): NewsClassifier {
  return {
    name: "lexicon (AFINN)",
    classify: (titles) => Promise.resolve(titles.map((t) => ({ signal: lexiconSignal(t), score: 1 }))),
    dispose: () => Promise.resolve(),
  };
}
