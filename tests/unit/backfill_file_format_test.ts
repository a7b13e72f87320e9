import { assertEquals, assertRejects } from "../assert.ts";
import { ConfigError } from "../../src/config.ts";
import { backfillFileFormat } from "../../src/jobs/backfill_file_format.ts";

const WS_OHLC = "timestamp,symbol,open,high,low,close,volume,vwap,trades,tstart,ttrue";
const line = (text: string) => () => Promise.resolve(text);

Deno.test("a backfill file's format is detected from its first line, read only without --format", async () => {
  assertEquals(
    await backfillFileFormat("t.csv", undefined, line("ts,pair,price,qty,side"), []),
    "trades-csv",
  );
  const unread = () => Promise.reject(new Error("read"));
  assertEquals(await backfillFileFormat("pipe", "kraken-ohlc", unread, ["BTC/USD"]), "kraken-ohlc");
});

Deno.test("a file of no format is a usage error listing every format --format takes", async () => {
  await assertRejects(
    () => backfillFileFormat("x.csv", undefined, line("a,b,c,d"), []),
    ConfigError,
    "cannot tell the format of x.csv; pass --format (one of kraken-trades, trades-csv, trades-jsonl, " +
      "kraken-ohlcvt, kraken-ohlc)",
  );
});

Deno.test("a WebSocket v2 ohlc capture is refused, saying what it is and why", async () => {
  await assertRejects(
    () => backfillFileFormat("ws.csv", undefined, line(WS_OHLC), []),
    ConfigError,
    "ws.csv: it is a capture of Kraken's WebSocket v2 ohlc channel, which backfill does not read: it holds " +
      "the candles of several pairs, and the last one of each was still open when captured",
  );
});

Deno.test("a kraken-trades file without --pairs is a usage error", async () => {
  await assertRejects(
    () => backfillFileFormat("k.csv", undefined, line("1561939203.172,10749.4,0.004"), []),
    ConfigError,
    "k.csv is a kraken-trades file, which names no pair: give its pair with --pairs",
  );
});

const lines = (...text: string[]) => () => Promise.resolve(text);
const TRADES_CSV = ["ts,pair,price,qty,side", "1561939203172,BTC/USD,10749.4,0.004,buy"];

Deno.test("a --format the file's first lines show it is not is a usage error naming the flag and the format it is", async () => {
  await assertRejects(
    () => backfillFileFormat("t.csv", "kraken-trades", line(""), ["BTC/USD"], lines(...TRADES_CSV)),
    ConfigError,
    "--format kraken-trades: t.csv is not a kraken-trades file; its first line reads as trades-csv. " +
      "Leave --format out to detect the format, or pass --format trades-csv",
  );
  await assertRejects(
    () => backfillFileFormat("t.jsonl", "trades-csv", line(""), [], lines('{"pair":"BTC/USD"}')),
    ConfigError,
    "--format trades-csv: t.jsonl is not a trades-csv file; its first line reads as trades-jsonl.",
  );
  await assertRejects(
    () => backfillFileFormat("ws.csv", "kraken-trades", line(""), ["BTC/USD"], lines(WS_OHLC)),
    ConfigError,
    "ws.csv: it is a capture of Kraken's WebSocket v2 ohlc channel",
  );
});

Deno.test("a header over the rows of a headerless --format is that format, with a bad line", async () => {
  const file = lines("unix_time,price,volume", "1561939203.172,10749.4,0.004");
  assertEquals(
    await backfillFileFormat("k.csv", "kraken-trades", line(""), ["BTC/USD"], file),
    "kraken-trades",
  );
  // A file whose name says one format and whose lines another is read as --format says.
  assertEquals(
    await backfillFileFormat("t.jsonl", "trades-csv", line(""), [], lines(...TRADES_CSV)),
    "trades-csv",
  );
});

Deno.test("an empty file is a usage error saying so, not that its format cannot be told", async () => {
  await assertRejects(
    () => backfillFileFormat("e.csv", undefined, line(""), []),
    ConfigError,
    "--file: e.csv is empty: there is nothing to load",
  );
});
