/**
 * The contract every entry of the indicator registry keeps, run against each of them, so an
 * indicator added to the registry is checked without touching this file. An indicator over the
 * series: `null` for exactly `requiredInputs − 1` candles and then a value on every candle, with
 * `isStable` turning true on the same candle; on identical candles, the value its entry documents;
 * its state is plain data, and a series restored from that state as JSON at any point goes on
 * exactly as the uninterrupted one. A column read off the candle: a finite number for every candle.
 */
import { assert, assertEquals } from "../assert.ts";
import type { Candle } from "../../src/domain/candle.ts";
import { INDICATORS } from "../../src/transforms/indicators/registry.ts";
import type { CandleSpec, Columns, SeriesSpec } from "../../src/transforms/indicators/spec.ts";

const START = Date.UTC(2024, 0, 1);

function candle(i: number, open: number, high: number, low: number, close: number, volume: number): Candle {
  return {
    pair: "BTC/USD",
    window: "1m",
    window_start: START + i * 60_000,
    window_end: START + (i + 1) * 60_000,
    open,
    high,
    low,
    close,
    volume,
    vwap: volume > 0 ? (open + close) / 2 : close,
    trades: volume > 0 ? 3 : 0,
    buy_volume: volume * 0.6,
    sell_volume: volume * 0.4,
  };
}

/**
 * A random walk with the stretches that break indicators: a flat run of identical candles, an outage
 * of zero-volume candles at one price, and closes that repeat.
 */
function wavy(n: number, seed = 7): Candle[] {
  let a = seed;
  const rnd = () => (a = (a * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const out: Candle[] = [];
  let price = 40_000;
  for (let i = 0; i < n; i++) {
    const phase = i % 200;
    if (phase >= 60 && phase < 100) {
      out.push(candle(i, price, price, price, price, phase < 80 ? 1.5 : 0));
      continue;
    }
    const open = price;
    if (phase % 7 !== 0) price = Math.round(price * (1 + (rnd() - 0.5) * 0.004) * 100) / 100;
    const high = Math.max(open, price) * (1 + rnd() * 0.001);
    const low = Math.min(open, price) * (1 - rnd() * 0.001);
    out.push(candle(i, open, high, low, price, rnd() * 5));
  }
  return out;
}

const WAVY = wavy(400);

/** Runs of identical candles: at a high price, an outage at a tiny price, and candles that range. */
const FLAT: [string, (i: number) => Candle][] = [
  ["40000.5, volume 2.5", (i) => candle(i, 40_000.5, 40_000.5, 40_000.5, 40_000.5, 2.5)],
  ["0.00001234, no volume", (i) => candle(i, 0.00001234, 0.00001234, 0.00001234, 0.00001234, 0)],
  ["close 1.5 within 1.25..1.75, volume 1e9", (i) => candle(i, 1.5, 1.75, 1.25, 1.5, 1e9)],
];

const series = INDICATORS.filter((s): s is Extract<typeof s, { kind: "series" }> => s.kind === "series");
const fromCandle = INDICATORS.filter((s): s is Extract<typeof s, { kind: "candle" }> => s.kind === "candle");

/** The columns an output sets. */
function columns(spec: SeriesSpec, out: unknown): Columns {
  const row: Columns = {};
  spec.write(out, row);
  return row;
}

function seriesContract(spec: SeriesSpec): void {
  const name = spec.columns.join(", ");
  const verb = spec.columns.length > 1 ? "are" : "is";
  const required = spec.create().requiredInputs;

  const warmUp = required === 1
    ? `${verb} set from the first candle on, stable from then on`
    : `${verb} null for exactly the first ${
      required === 2 ? "candle" : `${required - 1} candles`
    }, then set on every ` +
      "candle, stable from then on";

  Deno.test(
    `${name} ${warmUp}`,
    () => {
      for (
        const candles of [
          WAVY,
          ...FLAT.map(([, make]) => Array.from({ length: 120 }, (_, i) => make(i))),
        ]
      ) {
        const indicator = spec.create();
        assert(!indicator.isStable, "stable before any candle");
        for (const [i, c] of candles.entries()) {
          const row = columns(spec, indicator.add(c));
          const warm = i + 1 >= required;
          assertEquals(indicator.isStable, warm, `isStable after ${i + 1} candles`);
          for (const column of spec.columns) {
            const v = row[column];
            if (warm) {
              assert(
                typeof v === "number" && Number.isFinite(v),
                `${column} after ${i + 1} candles: ${v}`,
              );
            } else assertEquals(v, null, `${column} after ${i + 1} candles`);
          }
        }
      }
    },
  );

  Deno.test(`${name} on identical candles ${verb} what the registry documents`, () => {
    for (const [label, make] of FLAT) {
      const indicator = spec.create();
      for (let i = 0; i < 3 * required + 20; i++) {
        const c = make(i);
        const row = columns(spec, indicator.add(c));
        if (i + 1 < required) continue;
        const want = spec.flat(c) as Record<string, number>;
        for (const column of spec.columns) {
          const got = row[column] as number, expected = want[column] as number;
          const tolerance = 1e-12 * (Math.abs(expected) + Math.abs(c.close));
          assert(
            Math.abs(got - expected) <= tolerance,
            `${column} on ${label}, candle ${i + 1}: ${got}, not ${expected}`,
          );
        }
      }
    }
  });

  Deno.test(
    `${name} restored from ${verb === "is" ? "its" : "their"} state as JSON at any point go${
      verb === "is" ? "es" : ""
    } on exactly as without the restart`,
    () => {
      const cuts = [
        ...new Set([0, 1, required - 2, required - 1, required, required + 1, 2 * required, 70, 90, 150]),
      ]
        .filter((n) => n >= 0 && n + 50 <= WAVY.length);
      for (const cut of cuts) {
        const running = spec.create();
        for (const c of WAVY.slice(0, cut)) running.add(c);
        const saved = JSON.stringify(running.state);
        assertEquals(JSON.parse(saved), running.state, `the state after ${cut} candles is not plain data`);
        const restored = spec.create(JSON.parse(saved));
        assertEquals(restored.requiredInputs, running.requiredInputs);
        for (const [i, c] of WAVY.slice(cut, cut + 50).entries()) {
          const where = `candle ${cut + i + 1}, restored after ${cut}`;
          assertEquals(columns(spec, restored.add(c)), columns(spec, running.add(c)), where);
          assertEquals(restored.isStable, running.isStable, `isStable at ${where}`);
        }
        assertEquals(
          JSON.stringify(restored.state),
          JSON.stringify(running.state),
          `state after ${cut} + 50 candles`,
        );
      }
    },
  );

  Deno.test(`${name}: two fresh indicators share no state`, () => {
    const a = spec.create(), b = spec.create();
    for (const c of WAVY.slice(0, required + 5)) a.add(c);
    assert(!b.isStable, "the second one warmed up with the first");
    assertEquals(JSON.stringify(b.state), JSON.stringify(spec.create().state));
  });
}

function candleContract(spec: CandleSpec): void {
  const [column] = spec.columns;
  Deno.test(`${column} is read off each candle alone: a finite number from the first candle on`, () => {
    const candles = [...WAVY, ...FLAT.map(([, make]) => make(0))];
    for (const [i, c] of candles.entries()) {
      const v = spec.value(c);
      assert(typeof v === "number" && Number.isFinite(v), `${column} of candle ${i + 1}: ${v}`);
    }
  });
}

for (const spec of series) seriesContract(spec);
for (const spec of fromCandle) candleContract(spec);

Deno.test("the registry names each column once and keeps each indicator's state under its own key", () => {
  const names = INDICATORS.flatMap((s): readonly string[] => s.columns);
  assertEquals(names.length, new Set(names).size);
  const keys = series.map((s) => s.key);
  assertEquals(keys.length, new Set(keys).size);
  assert(!keys.includes("candles"), "`candles` is the indicator set's own counter");
});
