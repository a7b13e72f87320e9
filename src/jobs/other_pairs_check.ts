/**
 * `--pair`, `--window` and `--with-pairs` checked against the offline store: a series it does not
 * hold is a mistake in the command, said with what it does hold; a pair without rows of the window
 * would add columns that are always 0.
 */
import { ConfigError } from "../config.ts";
import type { Window } from "../domain/candle.ts";
import type { FeatureHistory } from "../domain/ports.ts";

/** Fails, naming the series the store holds, when it has no rows of `pair` in `window`. */
export async function checkSeries(
  store: Pick<FeatureHistory, "counts">,
  pair: string,
  window: Window,
): Promise<void> {
  const counts = await store.counts();
  if (counts.some((c) => c.pair === pair && c.window === window && c.rows > 0)) return;
  const held = counts.filter((c) => c.rows > 0).map((c) => `${c.pair} ${c.window} (${c.rows} rows)`);
  throw new ConfigError(
    `--pair ${pair} --window ${window}: the offline store has no rows of that series; it holds ${
      held.length > 0 ? held.join(", ") : "none"
    } (backfill or ingest it first, or name one of those)`,
  );
}

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
      }; it holds ${window} rows of ${
        held.length > 0 ? held.join(", ") : "no pair"
      } (backfill or ingest it first)`,
    );
  }
}
