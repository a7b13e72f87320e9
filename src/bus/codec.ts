/**
 * Bus messages: JSON values with a schema version, `{"v":1,"type":"trade","data":{...}}`, keyed
 * by pair so one pair's messages stay ordered in one partition. Every consumed value is decoded
 * and validated here; a value that fails becomes a {@linkcode DecodeError} for the dead-letter
 * topic. An `end` message marks the end of a bounded history for a pair.
 */
import { type Candle, validateCandle } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import { type Trade, validateTrade } from "../domain/trade.ts";

export const SCHEMA_VERSION = 1;

export type BusMessage =
  | { type: "trade"; data: Trade }
  | { type: "candle"; data: Candle }
  | { type: "feature"; data: FeatureRow }
  | { type: "end"; data: { pair: string } };

export class DecodeError extends Error {
  override name = "DecodeError";
}

export function encode(message: BusMessage): string {
  return JSON.stringify({ v: SCHEMA_VERSION, type: message.type, data: message.data });
}

/** Decodes and validates a value of the given expected kind (`end` is accepted on any topic). */
export function decode<K extends "trade" | "candle">(
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
    const parsed = kind === "trade" ? validateTrade(fields) : validateCandle(fields);
    return { type: kind, data: parsed } as Extract<BusMessage, { type: K | "end" }>;
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(`invalid ${kind}: ${(e as Error).message}`);
  }
}
