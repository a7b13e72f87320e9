/**
 * Indicators against TA-Lib 0.8.2 (C library 0.8.1) on candles made to hit its edge cases: a long
 * outage of flat zero-volume candles, short outages, missing windows, flat candles that trade,
 * equal typical prices and closes, and a low-priced pair whose money flow is far below 1.0.
 * Reference: tests/fixtures/talib_reference_synthetic_5m.csv, made by
 * `scripts/talib_reference.py --synthetic` (its docstring says how to regenerate it). The fixture
 * holds the candles too, so this needs nothing outside the repository.
 */
import { assert, assertEquals } from "../assert.ts";
import { IndicatorSet, type IndicatorSetState } from "../../src/transforms/indicators.ts";
import { initialCandleState, stepCandle } from "../../src/transforms/candles.ts";
import type { Candle } from "../../src/domain/candle.ts";
import type { FeatureRow, IndicatorColumn } from "../../src/domain/feature_row.ts";

const FIXTURE = new URL("../fixtures/talib_reference_synthetic_5m.csv", import.meta.url);
const CANDLE_FIELDS = ["open", "high", "low", "close", "volume"] as const;
const TOLERANCE = 1e-9;

interface Row {
  line: number;
  pair: string;
  start: number;
  gap: boolean;
  candle: Record<typeof CANDLE_FIELDS[number], number>;
  values: Map<string, number | null>;
}

async function fixture(): Promise<{ columns: string[]; series: Map<string, Row[]> }> {
  const [header, ...lines] = (await Deno.readTextFile(FIXTURE)).trim().split("\n");
  const names = (header as string).split(",");
  const columns = names.slice(3 + CANDLE_FIELDS.length);
  const series = new Map<string, Row[]>();
  for (const [i, line] of lines.entries()) {
    const cells = line.split(",");
    const get = (name: string) => cells[names.indexOf(name)] as string;
    const row: Row = {
      line: i + 2,
      pair: get("pair"),
      start: Number(get("time")) * 1000,
      gap: get("gap") === "1",
      candle: Object.fromEntries(CANDLE_FIELDS.map((f) => [f, Number(get(f))])) as Row["candle"],
      values: new Map(columns.map((c) => [c, get(c) === "" ? null : Number(get(c))])),
    };
    if (!series.has(row.pair)) series.set(row.pair, []);
    series.get(row.pair)?.push(row);
  }
  return { columns, series };
}

/** The candle list TA-Lib's input was made from: every window but the missing ones. */
function listed(rows: Row[]): Candle[] {
  return rows.filter((r) => !r.gap).map((r) => ({
    pair: r.pair,
    window: "5m" as const,
    window_start: r.start,
    window_end: r.start + 300_000,
    ...r.candle,
    vwap: r.candle.close,
    trades: r.candle.volume > 0 ? 1 : 0,
    buy_volume: r.candle.volume,
    sell_volume: 0,
  }));
}

/** The candles the project builds from that list, gaps filled by its candle builder. */
function built(rows: Row[]): Candle[] {
  const state = initialCandleState({ windows: ["5m"] });
  return listed(rows).flatMap((c) => stepCandle(state, c));
}

Deno.test("the candle builder fills the fixture's missing windows into the sequence TA-Lib was given", async () => {
  const { series } = await fixture();
  assertEquals([...series.keys()], ["BTC/USD", "SHIB/USD"]);
  for (const [pair, rows] of series) {
    assert(rows.some((r) => r.gap), `${pair} has no missing window`);
    const candles = built(rows);
    assertEquals(candles.length, rows.length, `${pair}: built ${candles.length} candles`);
    for (const [i, r] of rows.entries()) {
      const c = candles[i] as Candle;
      const got = [c.window_start, ...CANDLE_FIELDS.map((f) => c[f])];
      assertEquals(got, [r.start, ...CANDLE_FIELDS.map((f) => r.candle[f])], `fixture line ${r.line}`);
    }
  }
});

/** Where `out` differs from TA-Lib beyond the tolerance: one line per column, naming the first row. */
function differences(columns: string[], rows: Row[], out: FeatureRow[], from = 0): string[] {
  const failures: string[] = [];
  for (const column of columns) {
    let bad = 0, first = "";
    for (let i = from; i < rows.length; i++) {
      const r = rows[i] as Row;
      const want = r.values.get(column) ?? null;
      const got = out[i - from]?.[column as IndicatorColumn] ?? null;
      const ok = want === null || got === null
        ? want === got
        : Math.abs(got - want) <= TOLERANCE * Math.max(1, Math.abs(want));
      if (ok) continue;
      if (bad++ === 0) {
        first =
          `${column}: ${r.pair} row ${i} (fixture line ${r.line}, ${new Date(r.start).toISOString()}) ` +
          `is ${got}, TA-Lib has ${want}`;
      }
    }
    if (bad > 0) failures.push(`${first}; ${bad} rows differ`);
  }
  return failures;
}

Deno.test("every TA-Lib column agrees with TA-Lib to 1e-9 through outages, gaps and equal prices", async () => {
  const { columns, series } = await fixture();
  assertEquals(columns.length, 20);
  const failures: string[] = [];
  for (const rows of series.values()) {
    const set = new IndicatorSet();
    failures.push(...differences(columns, rows, built(rows).map((c) => set.add(c))));
  }
  assertEquals(failures, []);
});

/** A checkpoint as the indicator set wrote it before Bollinger's shifted sums and MFI's empty-run count. */
function older(state: IndicatorSetState): IndicatorSetState {
  const s = structuredClone(state) as unknown as Record<"bb" | "mfi", Record<string, unknown>>;
  const ring = s.bb.ring as { values: number[] };
  s.bb.sum = ring.values.reduce((a, x) => a + x, 0);
  s.bb.sumSq = ring.values.reduce((a, x) => a + x * x, 0);
  for (const key of ["shift", "dev", "devSq", "untilReseed"]) delete s.bb[key];
  delete s.mfi.nullRun;
  // Those sums were never emptied, so after an outage they still held a few ulps of the last flows.
  s.mfi.posSum = (s.mfi.posSum as number) + 3e-12;
  s.mfi.negSum = (s.mfi.negSum as number) + 1e-12;
  return s as unknown as IndicatorSetState;
}

Deno.test("a set restored mid-series, from a checkpoint of this or the previous shape, goes on agreeing with TA-Lib", async () => {
  const { columns, series } = await fixture();
  const rows = series.get("BTC/USD") as Row[];
  const candles = built(rows);
  // In trading, deep in the long outage, and in the flat candles that trade.
  for (const at of [150, 700, 1205]) {
    const set = new IndicatorSet();
    for (const c of candles.slice(0, at)) set.add(c);
    const saved = JSON.parse(JSON.stringify(set.state)) as IndicatorSetState;
    for (const state of [saved, older(saved)]) {
      const restored = new IndicatorSet(structuredClone(state));
      const out = candles.slice(at).map((c) => restored.add(c));
      assertEquals(differences(columns, rows, out, at), [], `restored at row ${at}`);
    }
  }
});
