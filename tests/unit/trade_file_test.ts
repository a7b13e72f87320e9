import { assert, assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { BadLineError, tradeFile } from "../../src/sources/files/trade_file.ts";
import { detectFormat, lineParser } from "../../src/sources/files/trade_formats.ts";
import { splitCsv } from "../../src/sources/files/csv.ts";
import { LineStream } from "../../src/sources/files/line_stream.ts";

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;

Deno.test("LineStream() splits across chunks, strips CR, skips empty lines and numbers them all", async () => {
  const lines = await Array.fromAsync(
    ReadableStream.from(["a,b\r", "\nc", "d\n\n", "e"]).pipeThrough(new LineStream()),
  );
  assertEquals(lines, [{ n: 1, text: "a,b" }, { n: 2, text: "cd" }, { n: 4, text: "e" }]);
});

Deno.test("splitCsv() honours quotes and doubled quotes", () => {
  assertEquals(splitCsv('a,"b,c",d'), ["a", "b,c", "d"]);
  assertEquals(splitCsv('"say ""hi""",2'), ['say "hi"', "2"]);
  assertEquals(splitCsv("1,2,3"), ["1", "2", "3"]);
});

Deno.test("detectFormat() tells the formats apart by name and first line", () => {
  assertEquals(detectFormat("x.csv", "1561939203,10749.4,0.004"), "kraken-trades");
  assertEquals(detectFormat("x.csv", "1561939200,1,2,0.5,1,12.5,40"), "kraken-ohlcvt");
  assertEquals(detectFormat("x.csv", "timestamp,time_ms,symbol,price,qty,side"), "trades-csv");
  assertEquals(detectFormat("x.csv", "ts_event,symbol,price,qty,side,ord_type,trade_id"), "trades-csv");
  assertEquals(detectFormat("x.txt", '{"pair":"BTC/USD"}'), "trades-jsonl");
  assertEquals(detectFormat("x.csv", "time,time_fmt,open,high,low,close,vwap,volume,count"), "kraken-ohlc");
  assertEquals(detectFormat("x.csv", "a,b,c"), null);
});

Deno.test("kraken-trades: seconds with fractions, the pair from --pairs, side by the tick rule", async () => {
  const { stream, stats } = await tradeFile(fixture("kraken_trades.csv"), { pair: "BTC/USD" });
  const trades = await Array.fromAsync(stream);
  assertEquals(stats.format, "kraken-trades");
  assertEquals(trades.map((t) => [t.ts, t.price, t.qty, t.side]), [
    [1561939203172, 10749.4, 0.004, "buy"],
    [1561939205000, 10749.7, 0.03869709, "buy"],
    [1561939205000, 10749.7, 0.01, "buy"],
    [1561939206000, 10740.0, 0.5, "sell"],
  ]);
  assertThrows(() => lineParser("kraken-trades"), RangeError, "--pairs");
});

Deno.test("trades-csv: columns by name, quoted cells, CRLF, v1 symbols, b/s sides", async () => {
  const { stream } = await tradeFile(fixture("trades_header.csv"));
  assertEquals(await Array.fromAsync(stream), [
    {
      pair: "BTC/USD",
      price: 89410,
      qty: 0.094825,
      side: "sell",
      ts: Date.parse("2024-11-12T06:43:30.512Z"),
      trade_id: 75666635,
      ord_type: "limit",
    },
    {
      pair: "BTC/USD",
      price: 89410,
      qty: 0.0009141,
      side: "sell",
      ts: Date.parse("2024-11-12T06:43:30.515Z"),
      trade_id: 75666636,
      ord_type: "market",
    },
  ]);
});

Deno.test("trades-jsonl: the project's format and its aliases", async () => {
  const { stream } = await tradeFile(fixture("trades.jsonl"));
  const trades = await Array.fromAsync(stream);
  assertEquals(trades[0], {
    pair: "BTC/USD",
    price: 10749.4,
    qty: 0.004,
    side: "sell",
    ts: 1561939203172,
    trade_id: 1,
  });
  assertEquals(trades[1], { pair: "ETH/USD", price: 290.1, qty: 1.5, side: "buy", ts: 1561939203999 });
});

Deno.test("a bad line fails the read with its file and line number", async () => {
  const { stream } = await tradeFile(fixture("bad_lines.csv"), { skipBadLines: false });
  const e = await assertRejects(() => Array.fromAsync(stream), BadLineError, "bad_lines.csv:3: price");
  assert(e.message.includes("--skip-bad-lines"));
});

Deno.test("a bad line read for a task without --skip-bad-lines does not point to that flag", async () => {
  const { stream } = await tradeFile(fixture("bad_lines.csv"));
  const e = await assertRejects(() => Array.fromAsync(stream), BadLineError, "bad_lines.csv:3: price");
  assert(!e.message.includes("--skip-bad-lines"), e.message);
});

Deno.test("--skip-bad-lines counts bad lines and keeps the good ones", async () => {
  const { stream, stats } = await tradeFile(fixture("bad_lines.csv"), { skipBadLines: true });
  const trades = await Array.fromAsync(stream);
  assertEquals(trades.map((t) => t.price), [10749.4, 10749.6]);
  assertEquals(stats.badLines, 2);
});

Deno.test("OHLCVT candle files and unknown files are refused with a clear message", async () => {
  await assertRejects(
    () => tradeFile(fixture("ohlcvt.csv")),
    TypeError,
    "holds candles (kraken-ohlcvt), not trades",
  );
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/x.csv`, "a,b\n1,2\n");
  await assertRejects(() => tradeFile(`${dir}/x.csv`), TypeError, "--format");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("gzipped files are read transparently", async () => {
  const dir = await Deno.makeTempDir();
  const text = await Deno.readFile(fixture("trades.jsonl"));
  const gz = await new Response(
    ReadableStream.from([text]).pipeThrough(
      new CompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>,
    ),
  ).bytes();
  await Deno.writeFile(`${dir}/t.jsonl.gz`, gz);
  const { stream } = await tradeFile(`${dir}/t.jsonl.gz`);
  assertEquals((await Array.fromAsync(stream)).length, 2);
  await Deno.remove(dir, { recursive: true });
});
