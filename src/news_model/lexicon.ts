/**
 * The lexicon baseline: npm:sentiment (AFINN-165 word scores with negation), bullish when the
 * headline's score is positive, bearish when negative, neutral at zero.
 */
import Sentiment from "sentiment";
import afinn from "sentiment/languages/en/labels.json" with { type: "json" };

const analyzer = new Sentiment();

export function lexiconSignal(headline: string): -1 | 0 | 1 {
  const score = analyzer.analyze(headline).score;
  return score > 0 ? 1 : score < 0 ? -1 : 0;
}

/** The lexicon's single-word scores (−5..5), for use as a prior on a model's word weights. */
export function lexiconWords(): Map<string, number> {
  return new Map(Object.entries(afinn as Record<string, number>).filter(([w]) => /^[a-z0-9]+$/.test(w)));
}
