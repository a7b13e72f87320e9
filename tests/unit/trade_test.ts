import { assertEquals, assertThrows } from "../assert.ts";
import { InvalidTradeError, tradeToJsonLine, validateTrade } from "../../src/domain/trade.ts";

const good = { pair: "BTC/USD", price: 30000.5, qty: 0.1, side: "buy", ts: 1561939203172 };

Deno.test("validateTrade() returns the trade with only the known fields", () => {
  assertEquals(validateTrade({ ...good, extra: 1 }), { ...good, side: "buy" as const });
  assertEquals(validateTrade({ ...good, trade_id: 7, ord_type: "limit" }).trade_id, 7);
  assertEquals("trade_id" in validateTrade({ ...good, trade_id: null }), false);
});

Deno.test("validateTrade() names the first bad field", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ ...good, pair: "XBTUSD" }, "pair"],
    [{ ...good, price: 0 }, "price"],
    [{ ...good, price: NaN }, "price"],
    [{ ...good, price: "1" }, "price"],
    [{ ...good, qty: -1 }, "qty"],
    [{ ...good, qty: Infinity }, "qty"],
    [{ ...good, side: "b" }, "side"],
    [{ ...good, ts: 1.5 }, "ts"],
    [{ ...good, ts: -1 }, "ts"],
    [{ ...good, trade_id: 1.5 }, "trade_id"],
    [{ ...good, ord_type: "stop" }, "ord_type"],
  ];
  for (const [input, field] of cases) assertThrows(() => validateTrade(input), InvalidTradeError, field);
});

Deno.test("tradeToJsonLine() writes the JSONL trade format that the file reader reads back", () => {
  const t = validateTrade({ ...good, trade_id: 3 });
  assertEquals(JSON.parse(tradeToJsonLine(t)), { ...good, trade_id: 3 });
});
