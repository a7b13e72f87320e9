/**
 * Indicators against TA-Lib 0.8 (C library 0.8.1), the library the course computed its features
 * with. Reference values: tests/fixtures/talib_reference_btcusd_1m.csv, made by
 * scripts/talib_reference.py from the first 3,000 candles of
 * ../shared/data/kraken/rest_ohlc_XXBTZUSD_1m_2020-04_05.csv (those inputs are read from ../shared,
 * not copied into the repository).
 */
import { assert, assertEquals } from "../assert.ts";
import { hasSharedData, sharedFile } from "../helpers.ts";
import { IndicatorSet } from "../../src/transforms/indicators.ts";
import type { Candle } from "../../src/domain/candle.ts";
import type { IndicatorColumn } from "../../src/domain/feature_row.ts";

const FIXTURE = new URL("../fixtures/talib_reference_btcusd_1m.csv", import.meta.url);
const INPUT = "kraken/rest_ohlc_XXBTZUSD_1m_2020-04_05.csv";

async function inputCandles(n: number): Promise<Candle[]> {
  const lines = (await Deno.readTextFile(sharedFile(INPUT))).trim().split("\n").slice(1, n + 1);
  return lines.map((line) => {
    const [time, , open, high, low, close, vwap, volume, count] = line.split(",").map((x) => x.trim());
    const start = Number(time) * 1000;
    return {
      pair: "BTC/USD",
      window: "1m" as const,
      window_start: start,
      window_end: start + 60_000,
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
      vwap: Number(vwap),
      trades: Number(count),
      buy_volume: 0,
      sell_volume: 0,
    };
  });
}

async function reference(): Promise<{ columns: string[]; rows: (number | null)[][] }> {
  const [header, ...lines] = (await Deno.readTextFile(FIXTURE)).trim().split("\n");
  return {
    columns: (header as string).split(","),
    rows: lines.map((l) => l.split(",").map((x) => x === "" ? null : Number(x))),
  };
}

Deno.test({
  name: "every TA-Lib indicator column agrees with TA-Lib to 1e-9 after its warm-up, and is null before",
  ignore: !hasSharedData(),
  async fn() {
    const ref = await reference();
    const candles = await inputCandles(ref.rows.length);
    assertEquals(candles.length, 3_000);
    const set = new IndicatorSet();
    const rows = candles.map((c) => set.add(c));
    const checked: string[] = [];
    for (const [j, column] of ref.columns.entries()) {
      if (column === "time") continue;
      let worst = 0;
      for (const [i, want] of ref.rows.map((r) => r[j]).entries()) {
        assertEquals(Number(ref.rows[i]?.[0]) * 1000, candles[i]?.window_start);
        const got = rows[i]?.[column as IndicatorColumn] ?? null;
        if (want === null || want === undefined) {
          assertEquals(got, null, `${column}[${i}] should still be warming up`);
          continue;
        }
        assert(got !== null, `${column}[${i}] is null, TA-Lib has ${want}`);
        const err = Math.abs(got - want) / Math.max(1, Math.abs(want));
        worst = Math.max(worst, err);
        assert(err <= 1e-9, `${column}[${i}]: ${got} vs TA-Lib ${want}`);
      }
      checked.push(`${column} ${worst.toExponential(1)}`);
    }
    assertEquals(checked.length, 20);
  },
});

Deno.test({
  name: "rows are warm from the 32nd candle on, when every column has its history",
  ignore: !hasSharedData(),
  async fn() {
    const candles = await inputCandles(40);
    const set = new IndicatorSet();
    const rows = candles.map((c) => set.add(c));
    assertEquals(rows.findIndex((r) => r.warm), 31);
    for (const r of rows.slice(31)) assert(Object.values(r).every((v) => v !== null));
  },
});
