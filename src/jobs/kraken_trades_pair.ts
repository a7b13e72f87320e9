/**
 * Which pair a `kraken-trades` file (`unix_time,price,volume`, no pair column) is read as: the
 * first of `--pairs`. Every task that reads one says so when `--pairs` names more, rather than
 * dropping the others without a word.
 */
import type { Logger } from "../util/log.ts";

/**
 * Warns when a file of `format` is read as the first of several `pairs`.
 *
 * @example
 * ```ts
 * warnKrakenTradesPair("kraken-trades", ["BTC/USD", "ETH/USD"], log); // read as BTC/USD, said
 * ```
 */
export function warnKrakenTradesPair(
  format: string,
  pairs: readonly string[],
  log: Pick<Logger, "warn">,
): void {
  if (format === "kraken-trades" && pairs.length > 1) {
    log.warn(`a kraken-trades file names no pair; its trades are read as ${pairs[0]}`);
  }
}
