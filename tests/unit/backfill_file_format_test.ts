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
