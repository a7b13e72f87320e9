/**
 * The fast paths of the trade formats read a line in place; the general parsers (`JSON.parse`,
 * `splitCsv`, `Number`) are the reference. For every line, the fast path must answer the trade the
 * general parser answers, or hand the line over (`undefined`); never a different trade, never one
 * for a line the general parser refuses.
 */
import { assert, assertEquals } from "../assert.ts";
import { prng } from "../helpers.ts";
import { type Trade, tradeToJsonLine } from "../../src/domain/trade.ts";
import { type TradeFormat, tradeParser } from "../../src/sources/files/trade_formats.ts";

type Outcome = { trade: Trade | null } | { error: string };

function general(parse: (line: string) => Trade | null, line: string): Outcome {
  try {
    return { trade: parse(line) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * Runs `lines` through two parsers of `format`: one trying the fast path first, one general only.
 * Returns how many lines the fast path read; fails on the first line where the two differ.
 */
function compare(format: TradeFormat, lines: readonly string[], pair?: string): number {
  const both = tradeParser(format, pair);
  const reference = tradeParser(format, pair);
  let fastLines = 0;
  for (const line of lines) {
    const expected = general(reference.parse, line);
    const fast = both.fast?.(line, 0, line.length, true);
    if (fast !== undefined) {
      fastLines++;
      assertEquals({ trade: fast } as Outcome, expected, `fast path on ${JSON.stringify(line)}`);
    } else {
      assertEquals(general(both.parse, line), expected, `general parser on ${JSON.stringify(line)}`);
    }
  }
  return fastLines;
}

/** Kraken-shaped trades: prices with 1–5 decimals, quantities with up to 8, ms times, sequential ids. */
function krakenTrades(n: number, seed: number): Trade[] {
  const rnd = prng(seed);
  let ts = 1_561_939_203_172, cents = 1_074_940;
  return Array.from({ length: n }, (_, i) => {
    ts += Math.floor(rnd() * 900);
    cents += Math.round((rnd() - 0.5) * 40);
    const price = Number((cents / 100 + Math.floor(rnd() * 1000) / 1e5).toFixed(1 + Math.floor(rnd() * 5)));
    const qty = Math.max(Number((rnd() ** 3 * 3).toFixed(1 + Math.floor(rnd() * 8))), 1e-8);
    const trade: Trade = {
      pair: i % 7 ? "BTC/USD" : "ETH/USD",
      price,
      qty,
      side: rnd() < 0.5 ? "buy" : "sell",
      ts,
    };
    if (rnd() < 0.8) trade.trade_id = 75_666_635 + i;
    if (rnd() < 0.8) trade.ord_type = rnd() < 0.6 ? "limit" : "market";
    return trade;
  });
}

const JSONL_ODD = [
  '{"pair":"BTC/USD","price":1e3,"qty":1E-8,"side":"buy","ts":1561939203172}',
  '{"pair":"BTC/USD","price":01.5,"qty":1,"side":"buy","ts":1561939203172}',
  '{"pair":"BTC/USD","price":1.,"qty":1,"side":"buy","ts":1561939203172}',
  '{"pair":"BTC/USD","price":.5,"qty":1,"side":"buy","ts":1561939203172}',
  '{"pair":"BTC/USD","price":0.5,"qty":-1,"side":"buy","ts":1561939203172}',
  '{"pair":"BTC/USD","price":0,"qty":1,"side":"buy","ts":1561939203172}',
  '{"pair":"BTC/USD","price":-0,"qty":1,"side":"buy","ts":1561939203172}',
  '{"pair":"BTC/USD","price":1.2.3,"qty":1,"side":"buy","ts":1561939203172}',
  '{"pair":"BTC/USD","price":123456789012345678,"qty":0.12345678901234567,"side":"buy","ts":1561939203172}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203.5}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203172.7}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203172.0}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1.561939203172e12}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":99999999999999999}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203172,"trade_id":1.5}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203172,"trade_id":12345678901234567}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203172,"trade_id":07}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203172,"trade_id":null}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203172,"ord_type":"stop"}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203172,"ord_type":"limit","x":1}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203172} ',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203172}}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203172,"pair":"ETH/USD"}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"BUY","ts":1561939203172}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"b","ts":1561939203172}',
  '{"pair":"BTC/USD","price":1,"qty":1,"ts":1561939203172,"side":"buy"}',
  '{ "pair":"BTC/USD","price":1,"qty":1,"side":"buy","ts":1561939203172}',
  '{"pair":"XBT/USD","price":1,"qty":1,"side":"sell","ts":1561939203172}',
  '{"pair":"btc-usd","price":1,"qty":1,"side":"sell","ts":1561939203172}',
  '{"pair":"BTC\\/USD","price":1,"qty":1,"side":"sell","ts":1561939203172}',
  '{"pair":"BTC/U\\u0053D","price":1,"qty":1,"side":"sell","ts":1561939203172}',
  '{"pair":" BTC/USD","price":1,"qty":1,"side":"sell","ts":1561939203172}',
  '{"pair":"","price":1,"qty":1,"side":"sell","ts":1561939203172}',
  '{"pair":"NOPE","price":1,"qty":1,"side":"sell","ts":1561939203172}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"sell","ts":1561939203172',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"sell","ts":1561939203172]',
  '{"pair":"BTC/USD","price":1e999,"qty":1,"side":"sell","ts":1561939203172}',
  '{"pair":"BTC/USD","price":1,"qty":2e400,"side":"sell","ts":1561939203172}',
  '{"pair":"BTC/USD\t","price":1,"qty":1,"side":"sell","ts":1561939203172}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"sell","ts":1561939203172,"trade_id":5]',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"sell","ts":}',
  '{"pair":"BTC/USD","price":1,"qty":1,"side":"sell"}',
  '{"pair":"BTC/USD","price":1',
  '{"pair":"BTC/USD"',
  '{"pair":"BTC/USD","price":"1","qty":1,"side":"sell","ts":1561939203172}',
  '{"symbol":"ETH/USD","price":290.1,"volume":1.5,"side":"b","time_ms":1561939203999}',
  "[1,2,3]",
  "null",
  "not json",
];

Deno.test("the JSONL fast path reads every line the project writes, to the trade JSON.parse gives", () => {
  const lines = krakenTrades(5000, 1).map(tradeToJsonLine);
  assertEquals(compare("trades-jsonl", lines), lines.length);
});

Deno.test("the JSONL fast path hands every other spelling to JSON.parse, which decides", () => {
  const fast = compare("trades-jsonl", JSONL_ODD);
  assert(fast > 0 && fast < JSONL_ODD.length, `${fast} of ${JSONL_ODD.length} odd lines read fast`);
  // The same odd lines again, now that the fast path has seen (and cached) the pairs.
  compare("trades-jsonl", [...JSONL_ODD, ...JSONL_ODD]);
});

Deno.test("the JSONL fast path gives a default pair no say: lines that name one read the same with and without", () => {
  const lines = [...krakenTrades(50, 2).map(tradeToJsonLine), ...JSONL_ODD];
  compare("trades-jsonl", lines, "SOL/USD");
});

const csvLine = (t: Trade) =>
  [t.ts, t.pair, t.price, t.qty, t.side, t.ord_type ?? "", t.trade_id ?? ""].join(",");

const CSV_ODD = [
  "1561939203172,BTC/USD,10749.4,0.004,s,market,1",
  "1561939203172,XBT/USD,10749.4,0.004,B,limit,2",
  "1561939203172,btc-usd,1e4,4E-3,sell,,3",
  "1561939203172,BTC/USD,0x10,0.004,sell,limit,4",
  "1561939203172,BTC/USD, 10749.4 ,0.004,sell,limit,5",
  "1561939203172,BTC/USD,Infinity,0.004,sell,limit,6",
  "1561939203172,BTC/USD,-1,0.004,sell,limit,7",
  "1561939203172,BTC/USD,,0.004,sell,limit,8",
  "1561939203172,BTC/USD,1,0.004,sell,limit, ",
  "1561939203172,BTC/USD,1,0.004,sell,limit,1e3",
  "1561939203172,BTC/USD,1,0.004,sell,stop,9",
  "1561939203172,BTC/USD,1,0.004,sell,Limit,9",
  "1561939203172,,1,0.004,sell,limit,10",
  "1561939203172, ,1,0.004,sell,limit,10",
  '1561939203172,"BTC/USD",1,0.004,sell,limit,11',
  '1561939203172,BTC/USD,"1,5",0.004,sell,limit,12',
  '1561939203172,BTC/USD,1,0.004,sell,limit,1"3',
  "1561939203172,BTC/USD,1,0.004,sell,limit,14,extra",
  "1561939203172,BTC/USD,1,0.004,sell,limit",
  "1561939203,BTC/USD,1,0.004,sell,limit,15",
  "1561939203.5,BTC/USD,1,0.004,sell,limit,16",
  "2019-07-01T00:00:03.172Z,BTC/USD,1,0.004,sell,limit,17",
  "2019-07-01T00:00:03.172123Z,BTC/USD,1,0.004,sell,limit,18",
  "2019-07-01 00:00:03.172,BTC/USD,1,0.004,sell,limit,19",
  "1969-12-31T23:59:59.000Z,BTC/USD,1,0.004,sell,limit,20",
  "0001561939203172,BTC/USD,1,0.004,sell,limit,21",
  "1561939203172,BTC/USD,1,0.004,sell,limit,012",
  "1561939203172,BTC/USD,01.50,0.004,sell,limit,22",
  "1561939203172,BTC/USD,1.,.5,sell,limit,23",
  "1561939203172,BTC/USD,1,0.004,,limit,24",
  "1561939203172,NOPE,1,0.004,sell,limit,25",
  "1561939203172,BTC/USD\t,1,0.004,sell,limit,26",
  "1561939203172,BTC/USD,1e,0.004,sell,limit,27",
  "1561939203172,BTC/USD,1,1-2,sell,limit,28",
  "1561939203172,BTC/USD,+5,1e+,sell,limit,29",
  "1561939203172,BTC/USD,1.5e3,--1,sell,limit,30",
  "1561939203172,BTC/USD,1.5e3,1e-3,sell,limit,31",
  "1561939203172,BTC/USD,1e999,1,sell,limit,32",
  "1561939203172,BTC/USD,1,1e999,sell,limit,33",
  "x",
];

Deno.test("the CSV fast path reads plain Kraken-shaped lines, to the trades the general parser gives", () => {
  const lines = ["ts,pair,price,qty,side,ord_type,trade_id", ...krakenTrades(5000, 3).map(csvLine)];
  // Numbers JavaScript writes with an exponent (qty 1e-8) are read too.
  assertEquals(compare("trades-csv", lines), lines.length - 1);
});

Deno.test("the CSV fast path hands quotes, padding, odd numbers and odd cells to the general parser", () => {
  const header = "ts,pair,price,qty,side,ord_type,trade_id";
  const fast = compare("trades-csv", [header, ...CSV_ODD, ...CSV_ODD]);
  assert(fast > 0 && fast < 2 * CSV_ODD.length, `${fast} odd lines read fast`);
  compare("trades-csv", [header, ...CSV_ODD], "ETH/USD");
});

Deno.test("the CSV fast path picks among alias columns as the general parser does, empty cells passed over", () => {
  const lines = [
    "timestamp,time_ms,symbol,pair,price,volume,qty,side,id,trade_id,note",
    "2019-07-01T00:00:03.172Z,1561939203999,XBT/USD,BTC/USD,1,2,3,buy,7,8,a note",
    ",1561939203999,XBT/USD,,1,,3,buy,7,,naïve €",
    ",,XBT/USD,,1,,3,buy,,,",
    "2019-07-01T00:00:03.172Z,,,,1,2,,sell,,, ",
    '2019-07-01T00:00:03.172Z,1561939203999,XBT/USD,BTC/USD,1,2,3,buy,7,8,"quoted, note"',
    '2019-07-01T00:00:03.172Z,1561939203999,XBT/USD,BTC/USD,1,2,3,buy,7,8,note "with" quotes',
    "2019-07-01T00:00:03.172Z,1561939203999,XBT/USD,BTC/USD,1,2,3,buy,7,8,a note, with a comma",
    '"2019-07-01T00:00:03.172Z,1561939203999",XBT/USD,BTC/USD,1,2,3,buy,7,8,a note',
  ];
  assert(compare("trades-csv", lines, "DOGE/USD") >= 3);
  assert(compare("trades-csv", lines) >= 2);
  // A quoted comma in a column nobody reads still changes how many columns the line has.
  compare("trades-csv", ["ts,pair,price,qty,side,note,more", '1561939203172,BTC/USD,1,2,buy,"a,b"']);
});

Deno.test("the kraken-trades fast path keeps the tick rule's sides in step with the general parser", () => {
  const rnd = prng(4);
  let seconds = 1_561_939_203;
  const lines = Array.from({ length: 3000 }, () => {
    seconds += Math.floor(rnd() * 3);
    const price = (10_700 + Math.floor(rnd() * 5) / 10).toFixed(1);
    const time = rnd() < 0.5 ? `${seconds}` : `${seconds}.${Math.floor(rnd() * 1000)}`;
    return `${time},${price},${(rnd() * 2).toFixed(8)}`;
  });
  const odd = [
    "1561939203,0,1",
    "1561939203,x,1",
    "1561939203,1,1,1",
    "1561939203, 1,1",
    "1561939203172,1,1",
    "1561939203172.5,1,1",
    ".,1,1",
    "1.,1,1",
    "1.001,1,1",
    "1.003,2,1",
    "1561939203,1e999,1",
    "1561939203,1,1e999",
  ];
  lines.splice(100, 0, ...odd);
  lines.splice(2000, 0, ...odd);
  assert(compare("kraken-trades", lines, "BTC/USD") >= 3000);
});
