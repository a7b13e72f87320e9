import { assert, assertEquals, assertThrows } from "../assert.ts";
import {
  FrameError,
  parseWsFrame,
  pingRequest,
  subscribeTradesRequest,
} from "../../src/sources/kraken/ws_messages.ts";

const tradeFrame = JSON.stringify({
  channel: "trade",
  type: "update",
  data: [
    {
      symbol: "BTC/USD",
      side: "sell",
      price: 26569.5,
      qty: 0.0016,
      ord_type: "market",
      trade_id: 61044952,
      timestamp: "2023-09-25T07:48:36.925533Z",
    },
    {
      symbol: "BTC/USD",
      side: "buy",
      price: 26569.6,
      qty: 0.5,
      ord_type: "limit",
      trade_id: 61044953,
      timestamp: "2023-09-25T07:48:36.925533Z",
    },
  ],
});

Deno.test("parseWsFrame() maps a trade frame with several trades to domain trades", () => {
  const ev = parseWsFrame(tradeFrame);
  assert(ev.kind === "trades");
  assertEquals(ev.snapshot, false);
  assertEquals(ev.trades, [
    {
      pair: "BTC/USD",
      price: 26569.5,
      qty: 0.0016,
      side: "sell",
      ts: Date.parse("2023-09-25T07:48:36.925Z"),
      trade_id: 61044952,
      ord_type: "market",
    },
    {
      pair: "BTC/USD",
      price: 26569.6,
      qty: 0.5,
      side: "buy",
      ts: Date.parse("2023-09-25T07:48:36.925Z"),
      trade_id: 61044953,
      ord_type: "limit",
    },
  ]);
});

Deno.test("parseWsFrame() reads snapshots and normalises v1-style symbols", () => {
  const ev = parseWsFrame(tradeFrame.replace('"update"', '"snapshot"').replaceAll("BTC/USD", "XBT/USD"));
  assert(ev.kind === "trades" && ev.snapshot && ev.trades[0]?.pair === "BTC/USD");
});

Deno.test("parseWsFrame() recognises heartbeat, status, acks, pong and errors", () => {
  assertEquals(parseWsFrame('{"channel":"heartbeat"}'), { kind: "heartbeat" });
  // connection_id is larger than 2^53 and must not break anything.
  assertEquals(
    parseWsFrame(
      '{"channel":"status","data":[{"api_version":"v2","connection_id":14281233948163174045,"system":"online","version":"2.0.0"}],"type":"update"}',
    ),
    { kind: "status", system: "online" },
  );
  assertEquals(
    parseWsFrame(
      '{"method":"subscribe","result":{"channel":"trade","snapshot":false,"symbol":"BTC/USD"},"success":true,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z","req_id":7}',
    ),
    { kind: "subscribed", channel: "trade", symbol: "BTC/USD", reqId: 7 },
  );
  assertEquals(
    parseWsFrame(
      '{"error":"Currency pair not supported XBT/USD","method":"subscribe","success":false,"symbol":"XBT/USD","time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z","req_id":8}',
    ),
    { kind: "subscribe_failed", error: "Currency pair not supported XBT/USD", symbol: "XBT/USD", reqId: 8 },
  );
  assertEquals(parseWsFrame('{"method":"pong","req_id":3,"time_in":"x","time_out":"y"}'), {
    kind: "pong",
    reqId: 3,
  });
  assertEquals(parseWsFrame('{"error":"Method not found","method":"fly","success":false}'), {
    kind: "error",
    error: "Method not found",
    method: "fly",
  });
  assertEquals(parseWsFrame('{"channel":"book","data":[]}'), { kind: "ignored", what: "book" });
});

Deno.test("parseWsFrame() rejects broken frames with a FrameError that shows the frame", () => {
  const bad: [string, string][] = [
    ["this is not json {", "not JSON"],
    ["[1,2]", "not a JSON object"],
    [tradeFrame.slice(0, 80), "not JSON"],
    ['{"channel":"trade","type":"update"}', "no data array"],
    [tradeFrame.replace('"price":26569.5', '"price":"NaN"'), "price"],
    [tradeFrame.replace('"trade_id":61044952,', ""), "bad trade in frame: trade_id is missing"],
    [
      tradeFrame.replace('"trade_id":61044952', '"trade_id":"61044952"'),
      'trade_id "61044952" is not a number',
    ],
    [tradeFrame.replace('"side":"sell"', '"side":"s"'), "side"],
    [tradeFrame.replace('"qty":0.0016', '"qty":0'), "qty"],
    [tradeFrame.replace("2023-09-25T07:48:36.925533Z", "yesterday"), "timestamp"],
    [tradeFrame.replace('"symbol":"BTC/USD"', '"symbol":42'), "symbol"],
  ];
  for (const [text, what] of bad) {
    const e = assertThrows(() => parseWsFrame(text), FrameError, what) as FrameError;
    assert(e.frame.length > 0 && e.frame.length <= 201);
  }
});

Deno.test("subscribeTradesRequest() always sends snapshot explicitly", () => {
  assertEquals(JSON.parse(subscribeTradesRequest(["BTC/USD", "ETH/USD"], 5)), {
    method: "subscribe",
    params: { channel: "trade", symbol: ["BTC/USD", "ETH/USD"], snapshot: false },
    req_id: 5,
  });
  assertEquals(JSON.parse(pingRequest(9)), { method: "ping", req_id: 9 });
});
