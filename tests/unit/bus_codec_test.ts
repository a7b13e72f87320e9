import { assert, assertEquals, assertThrows } from "../assert.ts";
import { decode, DecodeError, encode, tradeMessages, TRADES_PER_MESSAGE } from "../../src/bus/codec.ts";
import type { Candle } from "../../src/domain/candle.ts";
import type { Trade } from "../../src/domain/trade.ts";

const CANDLE: Candle = {
  pair: "BTC/USD",
  window: "1m",
  window_start: 1_700_000_040_000,
  window_end: 1_700_000_100_000,
  open: 100,
  high: 101,
  low: 99,
  close: 100.5,
  volume: 2,
  vwap: 100.2,
  trades: 3,
  buy_volume: 1.5,
  sell_volume: 0.5,
};

const trade = (pair: string, i: number): Trade => ({
  pair,
  price: 100 + i,
  qty: 1,
  side: i % 2 ? "buy" : "sell",
  ts: 1_700_000_000_000 + i,
  trade_id: i + 1,
});

Deno.test("bus codec: trades go as messages of one pair each, in order, at most TRADES_PER_MESSAGE a message", () => {
  const trades: Trade[] = [];
  for (let i = 0; i < 300; i++) trades.push(trade(i % 3 === 0 ? "ETH/USD" : "BTC/USD", i));
  const messages = tradeMessages(trades);
  const back = new Map<string, Trade[]>();
  for (const m of messages) {
    const decoded = decode(m.value, "trade");
    assertEquals(decoded.type, "trades");
    if (decoded.type !== "trades") continue;
    assert(decoded.data.length <= TRADES_PER_MESSAGE && decoded.data.length > 0);
    assertEquals(decoded.rejected, undefined);
    for (const t of decoded.data) assertEquals(t.pair, m.key);
    back.set(m.key, [...back.get(m.key) ?? [], ...decoded.data]);
  }
  for (const pair of ["BTC/USD", "ETH/USD"]) {
    assertEquals(back.get(pair), trades.filter((t) => t.pair === pair), pair);
  }
  assertEquals(messages.length, Math.ceil(200 / TRADES_PER_MESSAGE) + Math.ceil(100 / TRADES_PER_MESSAGE));
  assertEquals(tradeMessages([]), []);
});

Deno.test("bus codec: a bad trade in a trades message is rejected alone, with its index; the others are kept", () => {
  const good = [trade("BTC/USD", 1), trade("BTC/USD", 2)];
  const value = JSON.stringify({
    v: 1,
    type: "trades",
    data: [good[0], { pair: "BTC/USD", price: -5 }, 7, good[1]],
  });
  const decoded = decode(value, "trade");
  assertEquals(decoded.type, "trades");
  if (decoded.type !== "trades") return;
  assertEquals(decoded.data, good);
  assertEquals(decoded.rejected?.map((r) => r.index), [1, 2]);
  assert(decoded.rejected?.[0]?.error.includes("price"), decoded.rejected?.[0]?.error);
  assertEquals(decoded.rejected?.[1]?.value, 7);
});

Deno.test("bus codec: with the message's key, a trade of another pair is rejected alone", () => {
  const value = JSON.stringify({ v: 1, type: "trades", data: [trade("BTC/USD", 1), trade("ETH/USD", 2)] });
  const decoded = decode(value, "trade", "BTC/USD");
  assertEquals(decoded.type, "trades");
  if (decoded.type !== "trades") return;
  assertEquals(decoded.data, [trade("BTC/USD", 1)]);
  assertEquals(decoded.rejected?.map((r) => r.index), [1]);
  assert(decoded.rejected?.[0]?.error.includes("not the message key"), decoded.rejected?.[0]?.error);
});

Deno.test("bus codec: a trades message without trades, or on a topic of another kind, is a DecodeError", () => {
  for (const data of [[], {}, null, "x"]) {
    assertThrows(() => decode(JSON.stringify({ v: 1, type: "trades", data }), "trade"), DecodeError);
  }
  const trades = JSON.stringify({ v: 1, type: "trades", data: [trade("BTC/USD", 1)] });
  assertThrows(() => decode(trades, "candle"), DecodeError, "expected a candle message");
  // The one-trade message of earlier versions is still read.
  const single = decode(JSON.stringify({ v: 1, type: "trade", data: trade("BTC/USD", 1) }), "trade");
  assertEquals(single, { type: "trade", data: trade("BTC/USD", 1) });
});

Deno.test("bus codec: a headline keeps when a poll fetched it, a signal its known time; an older signal reads as known when published", () => {
  const item = {
    id: "7",
    title: "BTC up",
    published_at: 1_000_000,
    source: null,
    currencies: ["BTC"],
    seen_at: 1_060_000,
  };
  assertEquals(decode(encode({ type: "news", data: item }), "news").data, item);
  const signal = {
    news_id: "7",
    coin: "BTC",
    signal: 1 as const,
    score: 0.9,
    model: "m",
    published_at: 1_000_000,
    known_at: 1_060_000,
  };
  assertEquals(decode(encode({ type: "news_signal", data: signal }), "news_signal").data, signal);
  const { known_at: _, ...older } = signal;
  assertEquals(decode(encode({ type: "news_signal", data: older as typeof signal }), "news_signal").data, {
    ...signal,
    known_at: 1_000_000,
  });
  assertThrows(
    () => decode(encode({ type: "news_signal", data: { ...signal, known_at: 999_999 } }), "news_signal"),
    DecodeError,
    "known_at is invalid",
  );
});

Deno.test("bus codec: a candle and an end carry their series number; a bad one is a DecodeError", () => {
  const candle = decode(encode({ type: "candle", data: CANDLE, series: 3 }), "candle");
  assertEquals(candle, { type: "candle", data: CANDLE, series: 3 });
  assertEquals(decode(encode({ type: "end", data: { pair: "BTC/USD" }, series: 4 }), "candle"), {
    type: "end",
    data: { pair: "BTC/USD" },
    series: 4,
  });
  assertEquals(decode(encode({ type: "candle", data: CANDLE }), "candle"), { type: "candle", data: CANDLE });
  for (const series of [-1, 1.5, "2"]) {
    const value = JSON.stringify({ v: 1, type: "candle", series, data: CANDLE });
    assertThrows(() => decode(value, "candle"), DecodeError, "series");
  }
});
