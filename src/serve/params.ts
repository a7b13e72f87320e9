/** The query parameters of the read routes, checked; a bad one is a 400 naming it. */
import type { HonoRequest } from "hono";
import { isWindow, type Window } from "../domain/candle.ts";
import { normalisePair } from "../domain/pair.ts";
import { badRequest } from "./http_error.ts";

/**
 * The parameter `name`, given once. Given twice (`pair=BTC/USD&pair=ETH/USD`), which one was meant
 * is a guess, and answering for the first would hide the other: a 400. The scan of the URL costs
 * far less than parsing every value, so the common request pays only for that.
 */
export function queryParam(req: HonoRequest, name: string): string | undefined {
  const value = req.query(name);
  if (value === undefined || !keyRepeated(req.url, `${name}=`)) return value;
  const all = req.queries(name) ?? [];
  if (all.length < 2) return value;
  const given = all.map((v) => `'${v.slice(0, 32)}'`).join(", ");
  throw badRequest(name, `${name} is given ${all.length} times (${given}): give it once`);
}

function keyRepeated(url: string, key: string): boolean {
  let seen = 0;
  for (let i = url.indexOf(key); i !== -1; i = url.indexOf(key, i + 1)) {
    const before = url[i - 1];
    if ((before === "?" || before === "&") && ++seen > 1) return true;
  }
  return false;
}

/** The largest `limit` a list route answers. */
export const MAX_LIMIT = 1000;

/**
 * Pairs as they were asked, normalised: clients ask for the same few again and again, and a look-up
 * costs a fraction of the parse. The first few distinct spellings only, so odd input cannot grow it.
 */
const asked = new Map<string, string>();
const ASKED_KEPT = 64;

export function pairParam(raw: string | undefined): string {
  if (raw === undefined || raw === "") {
    throw badRequest("pair", "the pair parameter is required, e.g. pair=BTC/USD");
  }
  const known = asked.get(raw);
  if (known !== undefined) return known;
  const pair = raw.length <= 32 ? normalisePair(raw) : null;
  if (!pair) throw badRequest("pair", `'${raw.slice(0, 32)}' is not a pair such as BTC/USD`);
  if (asked.size < ASKED_KEPT) asked.set(raw, pair);
  return pair;
}

export function windowParam(raw: string | undefined): Window | undefined {
  if (raw === undefined) return undefined;
  if (!isWindow(raw)) throw badRequest("window", `'${raw.slice(0, 16)}' is not a window (1m, 5m, 15m, 1h)`);
  return raw;
}

/** Candles ahead, when asked: a whole number from 1. */
export function horizonParam(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  // Past 2^53 the number is not the one written, and no model is trained that far ahead.
  if (!/^\d+$/.test(raw) || n < 1 || !Number.isSafeInteger(n)) {
    throw badRequest("horizon", `'${raw.slice(0, 16)}' is not a horizon in candles (a whole number from 1)`);
  }
  return n;
}

/** `limit`, a whole number from 1 to `max` (a route that keeps fewer rows says so), else a 400. */
export function limitParam(raw: string | undefined, fallback: number, max = MAX_LIMIT): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  // Digits only: `1e2` or ` 5` is no way to write a count.
  if (!/^\d+$/.test(raw) || n < 1 || n > max) {
    throw badRequest("limit", `limit must be a whole number from 1 to ${max}`);
  }
  return n;
}
