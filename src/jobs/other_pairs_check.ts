/** `--with-pairs` checked against the offline store: a pair without rows of the window would add columns that are always 0. */
import { ConfigError } from "../config.ts";
import type { Window } from "../domain/candle.ts";
import type { FeatureHistory } from "../domain/ports.ts";

export async function checkOtherPairs(
  store: Pick<FeatureHistory, "counts">,
  window: Window,
  pairs: readonly string[],
): Promise<void> {
  if (pairs.length === 0) return;
  const held = (await store.counts()).filter((c) => c.window === window).map((c) => c.pair);
  const missing = pairs.filter((p) => !held.includes(p));
  if (missing.length > 0) {
    throw new ConfigError(
      `--with-pairs ${missing.join(", ")}: the offline store has no ${window} rows of ${
        missing.length > 1 ? "them" : "it"
      } (${window} rows of ${held.length > 0 ? held.join(", ") : "no pair"}); backfill or ingest it first`,
    );
  }
}
