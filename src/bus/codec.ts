/**
 * Bus messages: JSON values with a schema version, `{"v":1,"type":"trade","data":{...}}`, keyed
 * by pair so one pair's messages stay ordered in one partition. Every consumed value is decoded
 * and validated here; a value that fails becomes a {@linkcode DecodeError} for the dead-letter
 * topic. An `end` message marks the end of a bounded history for a pair. Headlines (`news`) are
 * keyed by their id and their signals (`news_signal`) by the headline's id, so a headline and
 * its repeats stay in one partition, where a consumer drops the repeats.
 *
 * Trades travel as `trades` messages, up to {@linkcode TRADES_PER_MESSAGE} trades of one pair in
 * order, `{"v":1,"type":"trades","data":[{...},...]}`: Kafka's cost is per message (the client's
 * record encoding, partitioning and decoding came to about 12 µs a message, a third of a
 * trade's whole cost on the bus), so one message per trade held the Kafka path to a fifth of what
 * the stages can do. A single `trade` message is still read, as earlier versions wrote it. A trade
 * of a `trades` message that fails validation goes to the dead-letter topic alone (its index in
 * the message with it); the others are applied.
 */
import { type Candle, validateCandle } from "../domain/candle.ts";
import { type FeatureRow, INDICATOR_COLUMNS } from "../domain/feature_row.ts";
import { type NewsItem, type NewsSignal, validateNews } from "../domain/news.ts";
import type { Prediction } from "../domain/prediction.ts";
import { type Trade, validateTrade } from "../domain/trade.ts";

export const SCHEMA_VERSION = 1;

export type BusMessage =
  | { type: "trade"; data: Trade }
  | TradesMessage
  | { type: "candle"; data: Candle; series?: number }
  | { type: "feature"; data: FeatureRow }
  | { type: "prediction"; data: Prediction }
  /**
   * `recorded`: read from a file, long after the poll that fetched it, so its classification says
   * nothing of when it could be known (`signalsOf`).
   */
  | { type: "news"; data: NewsItem; recorded?: true }
  | { type: "news_signal"; data: NewsSignal }
  | { type: "end"; data: { pair: string }; series?: number };

/** Trades of one pair, in order; `rejected` (on decoding only) are the elements that failed validation. */
export interface TradesMessage {
  type: "trades";
  data: Trade[];
  rejected?: { index: number; error: string; value: unknown }[];
}

/** At most this many trades per `trades` message: about 16 KiB of JSON, far below Kafka's 1 MB limit. */
export const TRADES_PER_MESSAGE = 128;

/**
 * The `trades` messages of `trades`: per pair, in order, {@linkcode TRADES_PER_MESSAGE} at most
 * each, keyed by the pair.
 */
export function tradeMessages(trades: readonly Trade[]): { key: string; value: string }[] {
  const open = new Map<string, Trade[]>();
  const out: { key: string; value: string }[] = [];
  const flush = (pair: string, group: Trade[]) =>
    out.push({ key: pair, value: encode({ type: "trades", data: group }) });
  for (const t of trades) {
    let group = open.get(t.pair);
    if (group === undefined) open.set(t.pair, group = []);
    group.push(t);
    if (group.length === TRADES_PER_MESSAGE) {
      flush(t.pair, group);
      open.set(t.pair, []);
    }
  }
  for (const [pair, group] of open) if (group.length > 0) flush(pair, group);
  return out;
}

/** The kinds a consumer stage reads. */
export type ConsumedKind = "trade" | "candle" | "feature" | "news" | "news_signal";

export class DecodeError extends Error {
  override name = "DecodeError";
}

export function encode(message: BusMessage): string {
  const series = "series" in message ? message.series : undefined;
  if (message.type === "news" && message.recorded) {
    return JSON.stringify({ v: SCHEMA_VERSION, type: message.type, recorded: true, data: message.data });
  }
  return JSON.stringify(
    series === undefined
      ? { v: SCHEMA_VERSION, type: message.type, data: message.data }
      : { v: SCHEMA_VERSION, type: message.type, series, data: message.data },
  );
}

/** What a consumer of `kind` may receive: that kind, `end`, and for `trade` also `trades`. */
export type Decoded<K extends ConsumedKind> = Extract<
  BusMessage,
  { type: K | "end" | (K extends "trade" ? "trades" : never) }
>;

/**
 * Decodes and validates a value of the given expected kind (`end` is accepted on any topic). With
 * the message's `key`, a trade of a `trades` message whose pair is not the key is rejected: it
 * would sit in another pair's partition, where a second member could build its candles too.
 */
export function decode<K extends ConsumedKind>(
  value: string | null,
  kind: K,
  key?: string,
): Decoded<K> {
  if (value === null) throw new DecodeError("message has no value");
  let msg: unknown;
  try {
    msg = JSON.parse(value);
  } catch {
    throw new DecodeError("value is not JSON");
  }
  if (typeof msg !== "object" || msg === null) throw new DecodeError("value is not a JSON object");
  const { v, type, data, series, recorded } = msg as {
    v?: unknown;
    type?: unknown;
    data?: unknown;
    series?: unknown;
    recorded?: unknown;
  };
  if (v !== SCHEMA_VERSION) {
    throw new DecodeError(`schema version ${JSON.stringify(v)} is not ${SCHEMA_VERSION}`);
  }
  if (typeof data !== "object" || data === null) throw new DecodeError("message has no data object");
  const fields = data as Record<string, unknown>;
  if (series !== undefined && !(Number.isSafeInteger(series) && (series as number) >= 0)) {
    throw new DecodeError(`series ${JSON.stringify(series)} is not a non-negative integer`);
  }
  const numbered = series === undefined ? {} : { series: series as number };
  try {
    if (type === "end") {
      if (typeof fields.pair !== "string") throw new DecodeError("end message has no pair");
      return { type: "end", data: { pair: fields.pair }, ...numbered } as Decoded<K>;
    }
    if (type === "trades" && kind === "trade") return decodeTrades(data, key) as Decoded<K>;
    if (type !== kind) throw new DecodeError(`expected a ${kind} message, got ${JSON.stringify(type)}`);
    const parsed = kind === "trade"
      ? validateTrade(fields)
      : kind === "candle"
      ? validateCandle(fields)
      : kind === "feature"
      ? validateFeatureRow(fields)
      : kind === "news"
      ? validateNews(fields)
      : validateSignal(fields);
    const extra = kind === "candle" ? numbered : kind === "news" && recorded === true ? { recorded } : {};
    return { type: kind, data: parsed, ...extra } as Decoded<K>;
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(`invalid ${kind}: ${(e as Error).message}`);
  }
}

function decodeTrades(data: unknown, key: string | undefined): TradesMessage {
  if (!Array.isArray(data) || data.length === 0) throw new DecodeError("trades message has no trades");
  const trades: Trade[] = [];
  const rejected: NonNullable<TradesMessage["rejected"]> = [];
  data.forEach((t: unknown, index) => {
    try {
      if (typeof t !== "object" || t === null) throw new TypeError("not a JSON object");
      const trade = validateTrade(t as Record<string, unknown>);
      if (key !== undefined && trade.pair !== key) {
        throw new TypeError(`pair ${trade.pair} is not the message key ${JSON.stringify(key)}`);
      }
      trades.push(trade);
    } catch (e) {
      rejected.push({ index, error: `invalid trade: ${(e as Error).message}`, value: t });
    }
  });
  return rejected.length > 0 ? { type: "trades", data: trades, rejected } : { type: "trades", data: trades };
}

/** A candle's checks, then every indicator a number or null and `warm` a boolean. */
function validateFeatureRow(fields: Record<string, unknown>): FeatureRow {
  const row: Record<string, unknown> = { ...validateCandle(fields) };
  for (const c of INDICATOR_COLUMNS) {
    const v = fields[c];
    if (v !== null && (typeof v !== "number" || !Number.isFinite(v))) {
      throw new TypeError(`${c} is invalid: ${JSON.stringify(v)}`);
    }
    row[c] = v;
  }
  if (typeof fields.warm !== "boolean") {
    throw new TypeError(`warm is invalid: ${JSON.stringify(fields.warm)}`);
  }
  row.warm = fields.warm;
  return row as FeatureRow;
}

/** A classified headline's signal as `signalsOf()` makes it (src/transforms/news_signals.ts). */
function validateSignal(fields: Record<string, unknown>): NewsSignal {
  const { news_id, coin, signal, score, model, published_at } = fields;
  // A message from a producer older than known times reads as known when published.
  const known_at = fields.known_at ?? published_at;
  const text = (name: string, v: unknown): string => {
    if (typeof v !== "string" || v.length === 0) {
      throw new TypeError(`${name} is invalid: ${JSON.stringify(v)}`);
    }
    return v;
  };
  if (signal !== -1 && signal !== 0 && signal !== 1) {
    throw new TypeError(`signal is invalid: ${JSON.stringify(signal)}`);
  }
  if (typeof score !== "number" || !(score >= 0 && score <= 1)) {
    throw new TypeError(`score is invalid: ${JSON.stringify(score)}`);
  }
  if (typeof published_at !== "number" || !Number.isSafeInteger(published_at) || published_at <= 0) {
    throw new TypeError(`published_at is invalid: ${JSON.stringify(published_at)}`);
  }
  if (typeof known_at !== "number" || !Number.isSafeInteger(known_at) || known_at < published_at) {
    throw new TypeError(`known_at is invalid: ${JSON.stringify(known_at)}`);
  }
  return {
    news_id: text("news_id", news_id),
    coin: text("coin", coin),
    signal,
    score,
    model: text("model", model),
    published_at,
    known_at,
  };
}
