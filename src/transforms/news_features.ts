/**
 * Per-coin rolling news aggregates, point in time: the features of a candle ending at `t` count
 * only signals known at or before `t` (`known_at`: published, and fetched when a live poll brought
 * it; a headline one second after the close belongs to the next candle). For each span (1h, 4h,
 * 24h): the sum, mean and count of signals known in (t − span, t]; and the minutes from the last
 * non-zero signal known to `t`. Signals may arrive out of order (a classifier catching up); they
 * are kept sorted by known time. The market-wide columns are the same aggregates over the signals
 * of the pseudo-coin `MARKET` (headlines that name no coin), point in time alike. Pure; the state
 * is plain data.
 */
import { type MarketNewsColumn, NEWS_SPANS, type NewsColumn } from "../domain/feature_row.ts";
import { MARKET, type NewsSignal } from "../domain/news.ts";

export interface NewsFeatureState {
  /** Per coin: signals as [known_at, signal, news id], sorted by time. */
  coins: Record<string, Entry[]>;
  /** Signal ids already counted, so a redelivered signal does not count twice. */
  seen: Record<string, true>;
}

type Entry = [number, number, string];

export function initialNewsState(): NewsFeatureState {
  return { coins: {}, seen: {} };
}

/** Index of the first entry with time > t. */
function upperBound(list: readonly Entry[], t: number): number {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as Entry)[0] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds a signal (once per news id and coin). */
export function addSignal(state: NewsFeatureState, s: NewsSignal): void {
  const key = `${s.news_id}|${s.coin}`;
  if (state.seen[key]) return;
  state.seen[key] = true;
  const list = state.coins[s.coin] ??= [];
  list.splice(upperBound(list, s.known_at), 0, [s.known_at, s.signal, key]);
}

/**
 * The news columns for `coin` as known at `t` (a candle's `window_end`).
 *
 * @example
 * ```ts
 * const s = initialNewsState();
 * addSignal(s, { news_id: "1", coin: "BTC", signal: 1, score: 0.9, model: "m", published_at: 0, known_at: 0 });
 * newsFeaturesAt(s, "BTC", 60_000).news_count_1h; // 1
 * ```
 */
export function newsFeaturesAt(
  state: NewsFeatureState,
  coin: string,
  t: number,
): Record<NewsColumn, number | null> {
  const list = state.coins[coin] ?? [];
  const end = upperBound(list, t);
  const out = {} as Record<NewsColumn, number | null>;
  for (const [name, span] of Object.entries(NEWS_SPANS)) {
    const start = upperBound(list, t - span);
    let sum = 0;
    for (let i = start; i < end; i++) sum += (list[i] as Entry)[1];
    const count = end - start;
    out[`news_signal_sum_${name}` as NewsColumn] = sum;
    out[`news_count_${name}` as NewsColumn] = count;
    out[`news_signal_mean_${name}` as NewsColumn] = count > 0 ? sum / count : 0;
  }
  let since: number | null = null;
  for (let i = end - 1; i >= 0; i--) {
    const [at, signal] = list[i] as Entry;
    if (signal !== 0) {
      since = (t - at) / 60_000;
      break;
    }
  }
  out.news_minutes_since_signal = since;
  return out;
}

/**
 * The market-wide news columns as known at `t`: {@linkcode newsFeaturesAt} of `MARKET`, each
 * column under its `market_` name.
 *
 * @example
 * ```ts
 * const s = initialNewsState();
 * addSignal(s, { news_id: "1", coin: "MARKET", signal: -1, score: 0.8, model: "m", published_at: 0, known_at: 0 });
 * marketNewsFeaturesAt(s, 60_000).market_news_signal_sum_1h; // -1
 * ```
 */
export function marketNewsFeaturesAt(
  state: NewsFeatureState,
  t: number,
): Record<MarketNewsColumn, number | null> {
  return asMarketColumns(newsFeaturesAt(state, MARKET, t));
}

/** A coin's news columns renamed as the market's (`news_count_1h` → `market_news_count_1h`). */
export function asMarketColumns(
  cols: Record<NewsColumn, number | null>,
): Record<MarketNewsColumn, number | null> {
  const out = {} as Record<MarketNewsColumn, number | null>;
  for (const [c, v] of Object.entries(cols)) out[`market_${c}` as MarketNewsColumn] = v;
  return out;
}

/**
 * Drops signals older than `t − 24h` and their ids, for a stream whose queries only move
 * forward: `t` must be no later than the earliest time still to be asked about.
 */
export function pruneBefore(state: NewsFeatureState, t: number): void {
  const cutoff = t - NEWS_SPANS["24h"];
  for (const list of Object.values(state.coins)) {
    const drop = upperBound(list, cutoff);
    for (const [, , key] of list.splice(0, drop)) delete state.seen[key];
  }
}
