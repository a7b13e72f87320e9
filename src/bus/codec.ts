/**
 * Bus messages: JSON values with a schema version, `{"v":1,"type":"trade","data":{...}}`, keyed
 * by pair so one pair's messages stay ordered in one partition. Every consumed value is decoded
 * and validated here; a value that fails becomes a {@linkcode DecodeError} for the dead-letter
 * topic. An `end` message marks the end of a bounded history for a pair. Headlines (`news`) are
 * keyed by their id and their signals (`news_signal`) by the headline's id, so a headline and
 * its repeats stay in one partition, where a consumer drops the repeats.
 */
import { type Candle, validateCandle } from "../domain/candle.ts";
import { type FeatureRow, INDICATOR_COLUMNS } from "../domain/feature_row.ts";
import { type NewsItem, type NewsSignal, validateNews } from "../domain/news.ts";
import type { Prediction } from "../domain/prediction.ts";
import { type Trade, validateTrade } from "../domain/trade.ts";

export const SCHEMA_VERSION = 1;

export type BusMessage =
  | { type: "trade"; data: Trade }
  | { type: "candle"; data: Candle }
  | { type: "feature"; data: FeatureRow }
  | { type: "prediction"; data: Prediction }
  | { type: "news"; data: NewsItem }
  | { type: "news_signal"; data: NewsSignal }
  | { type: "end"; data: { pair: string } };

/** The kinds a consumer stage reads. */
export type ConsumedKind = "trade" | "candle" | "feature" | "news" | "news_signal";

export class DecodeError extends Error {
  override name = "DecodeError";
}

export function encode(message: BusMessage): string {
  return JSON.stringify({ v: SCHEMA_VERSION, type: message.type, data: message.data });
}

/** Decodes and validates a value of the given expected kind (`end` is accepted on any topic). */
export function decode<K extends ConsumedKind>(
  value: string | null,
  kind: K,
): Extract<BusMessage, { type: K | "end" }> {
  if (value === null) throw new DecodeError("message has no value");
  let msg: unknown;
  try {
    msg = JSON.parse(value);
  } catch {
    throw new DecodeError("value is not JSON");
  }
  if (typeof msg !== "object" || msg === null) throw new DecodeError("value is not a JSON object");
  const { v, type, data } = msg as { v?: unknown; type?: unknown; data?: unknown };
  if (v !== SCHEMA_VERSION) {
    throw new DecodeError(`schema version ${JSON.stringify(v)} is not ${SCHEMA_VERSION}`);
  }
  if (typeof data !== "object" || data === null) throw new DecodeError("message has no data object");
  const fields = data as Record<string, unknown>;
  try {
    if (type === "end") {
      if (typeof fields.pair !== "string") throw new DecodeError("end message has no pair");
      return { type: "end", data: { pair: fields.pair } } as Extract<BusMessage, { type: K | "end" }>;
    }
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
    return { type: kind, data: parsed } as Extract<BusMessage, { type: K | "end" }>;
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(`invalid ${kind}: ${(e as Error).message}`);
  }
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
  return {
    news_id: text("news_id", news_id),
    coin: text("coin", coin),
    signal,
    score,
    model: text("model", model),
    published_at,
  };
}
