/**
 * A trade file read in chunks of any size gives the trades, line numbers and errors of the file
 * read whole and split into lines. The reference here is that plain reading: the text decoded
 * at once (a leading byte order mark dropped), cut at `\n`, one trailing `\r` dropped, empty lines
 * counted but skipped, each line through the format's general parser.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { prng } from "../helpers.ts";
import { type Trade, tradeToJsonLine } from "../../src/domain/trade.ts";
import { BadLineError, tradeFile, tradeFileChunks } from "../../src/sources/files/trade_file.ts";
import { lineParser, type TradeFormat } from "../../src/sources/files/trade_formats.ts";

const encoder = new TextEncoder();

interface Read {
  trades: Trade[];
  lines: number;
  badLines: number;
}

/** The plain reading of `bytes`, skipping bad lines. */
function reference(bytes: Uint8Array, format: TradeFormat, pair?: string): Read {
  const parse = lineParser(format, pair);
  const lines = new TextDecoder().decode(bytes).split("\n");
  const read: Read = { trades: [], lines: 0, badLines: 0 };
  lines.forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "") return;
    read.lines = i + 1;
    try {
      const trade = parse(line);
      if (trade !== null) read.trades.push(trade);
    } catch {
      read.badLines++;
    }
  });
  return read;
}

async function readFile(path: string, format: TradeFormat, readBytes?: number, pair?: string): Promise<Read> {
  const { stream, stats } = await tradeFile(path, { format, pair, readBytes, skipBadLines: true });
  const trades = await Array.fromAsync(stream);
  return { trades, lines: stats.lines, badLines: stats.badLines };
}

async function withFile<T>(bytes: Uint8Array, name: string, fn: (path: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/${name}`, bytes);
    return await fn(`${dir}/${name}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// A byte order mark, CRLF and LF endings, a blank line, characters of two, three and four bytes
// (in columns nobody reads, and in quoted cells), bad lines, and no newline at the end.
const CSV = "\uFEFFts,pair,price,qty,side,note,more\r\n" +
  "1561939203172,BTC/USD,10749.4,0.004,sell,naïve,\r\n" +
  "1561939203173,BTC/USD,10749.45,0.00012345,buy,€ 5,x\n" +
  "\r\n" +
  '1561939203174,"XBT/USD",10749.5,1e-8,b,"𝄞, a clef",\r\n' +
  "1561939203175,BTC/USD,abc,0.5,sell,é,\n" +
  // Six columns, not seven: the quoted comma is inside a cell.
  '1561939203176,BTC/USD,10749.6,0.5,sell,"a,b"\n' +
  "1561939203177,BTC/USD,10749.7,0.5,s,last,";

const JSONL = "\uFEFF" +
  '{"pair":"BTC/USD","price":10749.4,"qty":0.004,"side":"sell","ts":1561939203172}\r\n' +
  '{"pair":"BTC/USD","price":10749.45,"qty":1e-8,"side":"buy","ts":1561939203173,"trade_id":7,"ord_type":"limit"}\n' +
  '{"pair":"BTC/USD","price":10749.5,"qty":0.5,"side":"buy","ts":1561939203174,"note":"naïve € 𝄞"}\n' +
  "\n" +
  '{"pair":"BTC/USD","price":-1,"qty":0.5,"side":"buy","ts":1561939203175}\r\n' +
  '{"symbol":"ETH/USD","price":290.1,"volume":1.5,"side":"b","time_ms":1561939203999}';

for (const [format, text] of [["trades-csv", CSV], ["trades-jsonl", JSONL]] as const) {
  Deno.test(`${format}: a line split across reads at every byte, inside a multi-byte character too, reads the same`, async () => {
    const bytes = encoder.encode(text);
    const expected = reference(bytes, format);
    assertEquals(expected.trades.length, 4);
    assertEquals(expected.badLines, format === "trades-csv" ? 2 : 1);
    await withFile(bytes, "t", async (path) => {
      // Reads of k bytes cut the file at every multiple of k: with every k, at every byte.
      for (let k = 1; k <= bytes.length; k++) {
        assertEquals(await readFile(path, format, k), expected, `read ${k} bytes at a time`);
      }
    });
  });
}

/** A mixed file: mostly lines in the fast paths' shapes, with odd and bad lines among them. */
function mixedLines(format: TradeFormat, n: number): string[] {
  const rnd = prng(9);
  const lines: string[] = format === "trades-csv" ? ["time_ms,symbol,price,qty,side,ord_type,trade_id"] : [];
  let ts = 1_561_939_203_172;
  for (let i = 0; i < n; i++) {
    ts += Math.floor(rnd() * 500);
    const trade: Trade = {
      pair: rnd() < 0.8 ? "BTC/USD" : "ETH/USD",
      price: Number((10_000 + rnd() * 1000).toFixed(1 + Math.floor(rnd() * 5))),
      qty: Math.max(Number((rnd() ** 3).toFixed(1 + Math.floor(rnd() * 8))), 1e-8),
      side: rnd() < 0.5 ? "buy" : "sell",
      ts,
      trade_id: i,
      ord_type: rnd() < 0.5 ? "limit" : "market",
    };
    let line = format === "trades-csv"
      ? [trade.ts, trade.pair, trade.price, trade.qty, trade.side, trade.ord_type, trade.trade_id].join(",")
      : tradeToJsonLine(trade);
    const odd = rnd();
    if (odd < 0.02) line = line.replace("BTC/USD", "XBT/USD");
    else if (odd < 0.04) line = line.replace(",", ", ");
    else if (odd < 0.05) line = line.replace("5", "x");
    else if (odd < 0.06) line = `"${line}"`;
    else if (odd < 0.07) line = line + "\r";
    else if (odd < 0.08) line = "";
    lines.push(line);
  }
  return lines;
}

for (const format of ["trades-csv", "trades-jsonl"] as const) {
  Deno.test(`${format}: odd and bad lines among fast ones read as the general parser reads them, in order`, async () => {
    const bytes = encoder.encode(mixedLines(format, 3000).join("\n") + "\n");
    const expected = reference(bytes, format);
    assert(expected.badLines > 10 && expected.trades.length > 2500);
    await withFile(bytes, "t", async (path) => {
      for (const k of [7, 100, 4096, undefined]) {
        assertEquals(await readFile(path, format, k), expected, `read ${k ?? "1 MiB"} bytes at a time`);
      }
    });
  });
}

Deno.test("a bad line fails the read naming its file and line, after every trade before it", async () => {
  const parse = lineParser("trades-jsonl");
  const lines = mixedLines("trades-jsonl", 60).filter((l) => {
    try {
      return parse(l) !== null;
    } catch {
      return false;
    }
  }).slice(0, 40);
  lines.splice(30, 0, "", '{"pair":"BTC/USD","price":0,"qty":1,"side":"buy","ts":1561939203172}');
  const bytes = encoder.encode(lines.join("\r\n"));
  await withFile(bytes, "bad.jsonl", async (path) => {
    for (const readBytes of [5, 64, undefined]) {
      const { stream } = await tradeFile(path, { readBytes, skipBadLines: false });
      const got: Trade[] = [];
      const e = await assertRejects(
        async () => {
          for await (const t of stream) got.push(t);
        },
        BadLineError,
        `${path}:32: price must be a positive number, got 0 (--skip-bad-lines to skip such lines)`,
      );
      assertEquals((e as BadLineError).line, 32);
      assertEquals(got, reference(encoder.encode(lines.slice(0, 30).join("\n")), "trades-jsonl").trades);
    }
  });
});

Deno.test("a CSV file's bad line is named by its number, counting blank lines and the header", async () => {
  const text =
    "ts,pair,price,qty,side\n1561939203172,BTC/USD,1,1,buy\n\r\n\n1561939203173,BTC/USD,1,1,sell,x\n";
  await withFile(encoder.encode(text), "bad.csv", async (path) => {
    const { stream } = await tradeFile(path, { readBytes: 3, skipBadLines: false });
    await assertRejects(
      () => Array.fromAsync(stream),
      BadLineError,
      `${path}:5: 6 columns where the header has 5 (--skip-bad-lines`,
    );
  });
});

Deno.test("a very long line, arriving in many reads, reads whole and keeps the numbering after it", async () => {
  const long = '{"pair":"BTC/USD","price":1,"qty":2,"side":"buy","ts":1561939203172,"note":"' +
    "x".repeat(3_000_000) + '"}';
  const text = [
    long,
    "",
    tradeToJsonLine({ pair: "ETH/USD", price: 3, qty: 4, side: "sell", ts: 1561939203173 }),
    "{",
  ]
    .join("\n");
  await withFile(encoder.encode(text), "long.jsonl", async (path) => {
    const { stream, stats } = await tradeFile(path, { readBytes: 4096, skipBadLines: true });
    assertEquals(await Array.fromAsync(stream), [
      { pair: "BTC/USD", price: 1, qty: 2, side: "buy", ts: 1561939203172 },
      { pair: "ETH/USD", price: 3, qty: 4, side: "sell", ts: 1561939203173 },
    ]);
    assertEquals([stats.lines, stats.records, stats.badLines], [4, 2, 1]);
    const failing = await tradeFile(path, { readBytes: 4096 });
    await assertRejects(() => Array.fromAsync(failing.stream), BadLineError, `${path}:4: line is not JSON`);
  });
});

Deno.test("the last line is read without a newline, and without one after a lone CR", async () => {
  for (const end of ["", "\r"]) {
    const text = "ts,pair,price,qty,side\r\n1561939203172,BTC/USD,1,1,buy\r\n1561939203173,BTC/USD,2,1,sell" +
      end;
    await withFile(encoder.encode(text), "t.csv", async (path) => {
      for (const readBytes of [1, 2, undefined]) {
        const trades = await Array.fromAsync((await tradeFile(path, { readBytes })).stream);
        assertEquals(trades.map((t) => [t.price, t.side]), [[1, "buy"], [2, "sell"]]);
      }
    });
  }
});

Deno.test("backfill's filter in the source drops trades but still counts them as read", async () => {
  const bytes = encoder.encode(mixedLines("trades-jsonl", 500).join("\n"));
  const expected = reference(bytes, "trades-jsonl");
  await withFile(bytes, "t.jsonl", async (path) => {
    const { stream, stats } = await tradeFile(path, {
      skipBadLines: true,
      keep: (t) => t.pair === "ETH/USD",
    });
    assertEquals(await Array.fromAsync(stream), expected.trades.filter((t) => t.pair === "ETH/USD"));
    assertEquals(stats.records, expected.trades.length);
  });
});

Deno.test("read as arrays, a file gives the same trades in the same order, no array empty, and the trades before a bad line before its error", async () => {
  const lines = mixedLines("trades-jsonl", 400);
  const bytes = encoder.encode(lines.join("\n"));
  const expected = reference(bytes, "trades-jsonl");
  await withFile(bytes, "t.jsonl", async (path) => {
    for (const readBytes of [7, 300, undefined]) {
      const { stream, stats } = await tradeFileChunks(path, { readBytes, skipBadLines: true });
      const arrays = await Array.fromAsync(stream);
      assert(arrays.every((a) => a.length > 0), "an empty array");
      if (readBytes === 300) assert(arrays.length > 1, "one array for many reads");
      assertEquals(arrays.flat(), expected.trades);
      assertEquals([stats.lines, stats.badLines], [expected.lines, expected.badLines]);
    }
  });
  const good = lines.filter((l) => {
    try {
      return reference(encoder.encode(l), "trades-jsonl").trades.length === 1;
    } catch {
      return false;
    }
  }).slice(0, 40);
  good.splice(30, 0, '{"pair":"BTC/USD","price":0,"qty":1,"side":"buy","ts":1561939203172}');
  await withFile(encoder.encode(good.join("\n")), "bad.jsonl", async (path) => {
    for (const readBytes of [64, undefined]) {
      const { stream } = await tradeFileChunks(path, { readBytes });
      const got: Trade[] = [];
      await assertRejects(
        async () => {
          for await (const a of stream) got.push(...a);
        },
        BadLineError,
        `${path}:31: price must be a positive number`,
      );
      assertEquals(got, reference(encoder.encode(good.slice(0, 30).join("\n")), "trades-jsonl").trades);
    }
  });
});
