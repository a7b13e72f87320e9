/**
 * The online store on Deno KV: the latest feature row of every (pair, window), read in well under
 * a millisecond. A local SQLite file by default; a Deno Deploy KV URL in production. An upsert
 * only moves the latest row forward, so replays and overlapping backfills cannot roll it back.
 */
import { type Window, WINDOW_MS } from "../domain/candle.ts";
import {
  type FeatureRow,
  type FeatureRowWithNews,
  type MarketNewsColumn,
  type ModelRow,
  NEWS_SPANS,
  type NewsColumn,
  NO_OTHER_PAIRS,
  type OtherPairs,
} from "../domain/feature_row.ts";
import { MARKET, type NewsSignal } from "../domain/news.ts";
import type { NewsSignalStore, OnlineFeatureStore } from "../domain/ports.ts";
import { withOthers } from "../model/features.ts";
import { addSignal, asMarketColumns, initialNewsState, newsFeaturesAt } from "../transforms/news_features.ts";

/** Rows of each series the recent history keeps. */
export const RECENT_ROWS = 500;
const RECENT_EXPIRY_MS = 7 * 24 * 3_600_000;
/**
 * Deno KV takes at most 1,000 mutations and 800 KiB of keys and values in one atomic commit;
 * a row is two mutations (its set and the delete of the row RECENT_ROWS back), about 1 KB.
 */
const ROWS_PER_COMMIT = 500;
/**
 * A signal is three mutations: its set, the set or delete of its non-zero index entry, and its
 * known time's.
 */
const SIGNALS_PER_COMMIT = 300;
/** Deno KV reads at most 10 keys in one `getMany`, and KV Connect checks at most 10 in a commit. */
const SERIES_PER_COMMIT = 10;

/** A stored signal; `published_at` is absent from those stored before known times (then the key's). */
type StoredSignal = Omit<NewsSignal, "coin" | "news_id" | "published_at" | "known_at"> & {
  published_at?: number;
};

/**
 * Signals live under `["news", coin, known_at, news_id]`, in the order the news columns count them,
 * and the non-zero ones are indexed again under `["news_nonzero", ...]` so "minutes since the last
 * non-zero signal" is one reverse read however long ago that was. `["news_known", coin, news_id]`
 * holds each signal's known time, so a signal stored again keeps its first (and its key).
 */
export class KvFeatureStore implements OnlineFeatureStore, NewsSignalStore {
  #kv: Deno.Kv;

  private constructor(kv: Deno.Kv) {
    this.#kv = kv;
  }

  /** Opens the store at `path` (a file, a KV URL, or `:memory:`); Deno Deploy's own KV without one. */
  static async open(path?: string): Promise<KvFeatureStore> {
    return new KvFeatureStore(await Deno.openKv(path));
  }

  /** The KV database, shared with the prediction store. */
  get kv(): Deno.Kv {
    return this.#kv;
  }

  #key(pair: string, window: Window): Deno.KvKey {
    return ["features", "latest", pair, window];
  }

  #recentKey(pair: string, window: Window, windowStart: number): Deno.KvKey {
    return ["features", "recent", pair, window, windowStart];
  }

  /**
   * Writes `rows` into each series' recent history and moves each series' latest row forward.
   * The history goes in commits as large as Deno KV takes, in batch order (so of rows sharing a
   * key the last is kept); then the latest rows, read and conditionally set ten series at a time.
   */
  async upsert(rows: readonly FeatureRow[]): Promise<void> {
    const newest = new Map<string, FeatureRow>();
    for (const r of rows) {
      const k = `${r.pair}|${r.window}`;
      const seen = newest.get(k);
      if (!seen || r.window_start >= seen.window_start) newest.set(k, r);
    }
    for (let i = 0; i < rows.length; i += ROWS_PER_COMMIT) {
      await this.#commitRecent(rows.slice(i, i + ROWS_PER_COMMIT));
    }
    const latest = [...newest.values()];
    for (let i = 0; i < latest.length; i += SERIES_PER_COMMIT) {
      await this.#moveLatest(latest.slice(i, i + SERIES_PER_COMMIT));
    }
  }

  /**
   * The last RECENT_ROWS rows of each series, for charts: each write drops the row that many
   * windows back (replayed history included, whatever its dates); a week's expiry bounds leftovers.
   * Rows larger than usual can take a commit past Deno KV's total size: then it goes in halves.
   */
  async #commitRecent(rows: readonly FeatureRow[]): Promise<void> {
    const op = this.#kv.atomic();
    for (const r of rows) {
      const span = r.window_end - r.window_start;
      op.set(this.#recentKey(r.pair, r.window, r.window_start), r, { expireIn: RECENT_EXPIRY_MS });
      op.delete(this.#recentKey(r.pair, r.window, r.window_start - RECENT_ROWS * span));
    }
    try {
      await op.commit();
    } catch (e) {
      if (rows.length < 2 || !/^total .* too large/i.test((e as Error).message)) throw e;
      const half = Math.ceil(rows.length / 2);
      await this.#commitRecent(rows.slice(0, half));
      await this.#commitRecent(rows.slice(half));
    }
  }

  /** Sets each series' latest row to `rows`' one unless a newer is stored, retrying what a concurrent write beat. */
  async #moveLatest(rows: readonly FeatureRow[]): Promise<void> {
    let pending = rows;
    while (pending.length > 0) {
      const stored = await this.#kv.getMany<FeatureRow[]>(pending.map((r) => this.#key(r.pair, r.window)));
      const op = this.#kv.atomic();
      const moving = pending.filter((row, i) => {
        const current = stored[i] as Deno.KvEntryMaybe<FeatureRow>;
        if (current.value && current.value.window_start > row.window_start) return false;
        op.check(current).set(current.key, row);
        return true;
      });
      if (moving.length === 0 || (await op.commit()).ok) return;
      pending = moving;
    }
  }

  /** The newest `limit` rows of a series (at most 500), oldest first. */
  async recent(pair: string, window: Window, limit: number): Promise<FeatureRow[]> {
    const out: FeatureRow[] = [];
    const iter = this.#kv.list<FeatureRow>({ prefix: ["features", "recent", pair, window] }, {
      reverse: true,
      limit,
    });
    for await (const e of iter) out.push(e.value);
    return out.reverse();
  }

  async latest(pair: string, window: Window): Promise<FeatureRow | null> {
    return (await this.#kv.get<FeatureRow>(this.#key(pair, window))).value;
  }

  /** The online store keeps only the latest row, so it answers only when that row was known at `t`. */
  async asOf(pair: string, window: Window, t: number): Promise<FeatureRow | null> {
    const row = await this.latest(pair, window);
    return row && row.window_end <= t ? row : null;
  }

  /**
   * Inserts or replaces signals, in commits as large as Deno KV takes (a commit's cost, its sync,
   * is the same for one signal as for hundreds), in batch order; of signals sharing a key the
   * last is kept. A signal and its place in the non-zero index change in the same commit.
   */
  async putSignals(signals: readonly NewsSignal[]): Promise<void> {
    const last = new Map<string, NewsSignal>();
    for (const s of signals) {
      const k = JSON.stringify([s.coin, s.news_id]);
      const first = last.get(k);
      // Deleted first, so a repeated key moves to the end: the batch order of last writes stays.
      last.delete(k);
      last.set(k, first ? { ...s, known_at: first.known_at } : s);
    }
    const unique = [...last.values()];
    for (let i = 0; i < unique.length; i += SIGNALS_PER_COMMIT) {
      await this.#commitSignals(await this.#firstKnown(unique.slice(i, i + SIGNALS_PER_COMMIT)));
    }
  }

  /**
   * `signals`, each with the known time it was first stored with, if it was. A signal stored
   * before known times has no index entry; its key holds its publication, which is then its first
   * known time (as the offline store, upgraded, says too).
   */
  async #firstKnown(signals: readonly NewsSignal[]): Promise<NewsSignal[]> {
    const out = [...signals];
    const index = await this.#getMany<number>(signals.map((s) => ["news_known", s.coin, s.news_id]));
    const unindexed = out.flatMap((s, i) => index[i] === null && s.known_at !== s.published_at ? [i] : []);
    const legacy = await this.#getMany<StoredSignal>(
      unindexed.map((i) => ["news", out[i]!.coin, out[i]!.published_at, out[i]!.news_id]),
    );
    index.forEach((known, i) => {
      if (known !== null) out[i] = { ...out[i]!, known_at: known };
    });
    unindexed.forEach((i, j) => {
      if (legacy[j] !== null) out[i] = { ...out[i]!, known_at: out[i]!.published_at };
    });
    return out;
  }

  /** The values at `keys`, null where none; getMany takes at most 10 keys. */
  async #getMany<T>(keys: Deno.KvKey[]): Promise<(T | null)[]> {
    const out: (T | null)[] = [];
    for (let i = 0; i < keys.length; i += 10) {
      for (const e of await this.#kv.getMany<T[]>(keys.slice(i, i + 10))) out.push(e.value);
    }
    return out;
  }

  /** One commit of `signals`; one past Deno KV's total size (a long model name) goes in halves. */
  async #commitSignals(signals: readonly NewsSignal[]): Promise<void> {
    const op = this.#kv.atomic();
    for (const s of signals) {
      const nonzero = ["news_nonzero", s.coin, s.known_at, s.news_id];
      const value: StoredSignal = {
        signal: s.signal,
        score: s.score,
        model: s.model,
        published_at: s.published_at,
      };
      op.set(["news", s.coin, s.known_at, s.news_id], value);
      op.set(["news_known", s.coin, s.news_id], s.known_at);
      if (s.signal !== 0) op.set(nonzero, true);
      else op.delete(nonzero);
    }
    try {
      await op.commit();
    } catch (e) {
      if (signals.length < 2 || !/^total .* too large/i.test((e as Error).message)) throw e;
      const half = Math.ceil(signals.length / 2);
      await this.#commitSignals(signals.slice(0, half));
      await this.#commitSignals(signals.slice(half));
    }
  }

  /** Signals of a coin known in [from, to), in the order they became known. */
  async signals(coin: string, from = -8.64e15, to = 8.64e15): Promise<NewsSignal[]> {
    const out: NewsSignal[] = [];
    const iter = this.#kv.list<StoredSignal>({ start: ["news", coin, from], end: ["news", coin, to] });
    for await (const { key, value } of iter) {
      const known = key[2] as number;
      out.push({
        ...value,
        coin,
        published_at: value.published_at ?? known,
        known_at: known,
        news_id: key[3] as string,
      });
    }
    return out;
  }

  /** The news columns of `coin` at `t`, by the definitions of `transforms/news_features.ts`. */
  async newsAt(coin: string, t: number): Promise<Record<NewsColumn, number | null>> {
    const state = initialNewsState();
    for (const s of await this.signals(coin, t - NEWS_SPANS["24h"] + 1, t + 1)) addSignal(state, s);
    const cols = newsFeaturesAt(state, coin, t);
    if (cols.news_minutes_since_signal === null) {
      // No non-zero signal in the last 24 hours: the last one before, from the index.
      const last = this.#kv.list<true>(
        { prefix: ["news_nonzero", coin], end: ["news_nonzero", coin, t + 1] },
        { reverse: true, limit: 1 },
      );
      for await (const { key } of last) cols.news_minutes_since_signal = (t - (key[2] as number)) / 60_000;
    }
    return cols;
  }

  /**
   * The news columns of `pair` at `t`: its base coin's, and the market-wide ones (the signals of
   * the pseudo-coin `MARKET`) under their `market_` names.
   */
  async pairNewsAt(
    pair: string,
    t: number,
  ): Promise<Record<NewsColumn, number | null> & Record<MarketNewsColumn, number | null>> {
    const [coin, market] = await Promise.all([this.newsAt(pair.split("/")[0]!, t), this.newsAt(MARKET, t)]);
    return { ...coin, ...asMarketColumns(market) };
  }

  /** The latest row of a series with its news columns, as known when its candle closed. */
  async latestWithNews(pair: string, window: Window): Promise<FeatureRowWithNews | null> {
    const row = await this.latest(pair, window);
    if (!row) return null;
    return { ...row, ...(await this.pairNewsAt(pair, row.window_end)) };
  }

  /**
   * A series' row as a model reads it: the latest, or the one starting at `windowStart`, with its
   * news columns and, for each of `others.pairs`, that pair's row starting `others.lag` windows
   * before (what the training set joins), so streaming and `/predict` feed a model what it was
   * trained on. `unsaved` holds rows on their way to the store (a streaming batch's), read as if
   * stored.
   */
  async modelRow(
    pair: string,
    window: Window,
    others: OtherPairs = NO_OTHER_PAIRS,
    windowStart?: number,
    unsaved?: { get(pair: string, window: Window, windowStart: number): FeatureRow | undefined },
  ): Promise<ModelRow | null> {
    const key = windowStart === undefined
      ? this.#key(pair, window)
      : this.#recentKey(pair, window, windowStart);
    const pending = windowStart === undefined ? undefined : unsaved?.get(pair, window, windowStart);
    const row = pending ?? (await this.#kv.get<FeatureRow>(key)).value;
    if (!row) return null;
    const { pairs, lag } = others;
    const start = row.window_start - lag * WINDOW_MS[window];
    const rows: (FeatureRow | null)[] = [];
    // getMany takes at most 10 keys.
    for (let i = 0; i < pairs.length; i += 10) {
      const keys = pairs.slice(i, i + 10).map((p) => this.#recentKey(p, window, start));
      for (const e of await this.#kv.getMany<FeatureRow[]>(keys)) rows.push(e.value);
    }
    if (unsaved) pairs.forEach((p, i) => rows[i] = unsaved.get(p, window, start) ?? rows[i] ?? null);
    const news = await this.pairNewsAt(pair, row.window_end);
    return withOthers({ ...row, ...news }, pairs, rows);
  }

  close(): void {
    this.#kv.close();
  }
}

/**
 * Where the online store is: `ONLINE_KV` when set (a file, or a Deno KV Connect URL such as
 * `https://api.deno.com/databases/<id>/connect` with the token in `DENO_KV_ACCESS_TOKEN`, so the
 * ingest side can write to the KV a Deno Deploy app reads), else `<data dir>/online.kv`.
 */
export function onlineKvPath(dataDir: string): string {
  return Deno.env.get("ONLINE_KV") || `${dataDir}/online.kv`;
}
