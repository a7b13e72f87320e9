import { assertEquals, assertThrows } from "../assert.ts";
import { ConfigError } from "../../src/config.ts";
import { SimClock } from "../../src/sim/clock.ts";
import { TradeBook } from "../../src/sim/book.ts";
import { checkDrill, drillAt, nothingLiveWarning, replayLine } from "../../src/system/demo_market.ts";

/** A book of two BTC/USD trades `hours` apart, from 2024-01-01. */
function bookSpanning(hours: number): TradeBook {
  return new TradeBook([0, hours * 3_600_000].map((at, i) => ({
    pair: "BTC/USD",
    ts: Date.UTC(2024, 0, 1) + at,
    price: 100,
    qty: 1,
    side: "buy" as const,
    trade_id: i + 1,
  })));
}

Deno.test("the simulator's clock runs at real time × speed and stays where it stops", () => {
  let wall = 1_000;
  const clock = new SimClock(50_000, 60, () => wall, 50_000 + 120_000);
  assertEquals(clock.now(), 50_000);
  wall += 1_000;
  assertEquals(clock.now(), 110_000);
  wall += 1_000;
  assertEquals(clock.now(), 170_000);
  wall += 3_600_000;
  assertEquals(clock.now(), 170_000, "an hour of wall time later, still where it stopped");
  assertEquals(new SimClock(0, 2, () => wall).now(), 0);
  assertThrows(() => new SimClock(10, 1, () => 0, 5), RangeError, "cannot stop (5) before it starts (10)");
  assertThrows(() => new SimClock(0, 0), RangeError, "speed must be positive");
});

Deno.test("the demo's startup line gives the live replay in market time and in the wall time it takes", () => {
  const t0 = Date.UTC(2024, 0, 1);
  const book = bookSpanning(3);
  const line = (startAt: number, speed: number) => replayLine(book, startAt, speed).split("then ")[1];
  assertEquals(line(t0 + 150 * 60_000, 60), "live at 60x (30 min of market in 30 s)");
  assertEquals(line(t0, 600), "live at 600x (3.0 h of market in 18 s)");
  assertEquals(line(t0, 1), "live at 1x (3.0 h of market in 3.0 h)");
});

Deno.test("the demo's drill fires once, --bad-model-at into the replay, and a restart past it does not repeat it", () => {
  const t0 = Date.UTC(2024, 0, 1);
  const book = bookSpanning(48);
  const day = 24 * 3_600_000;
  const half = 30 * 60_000;
  assertEquals(drillAt(book, day, t0 + day, half), t0 + day + half, "a cold start");
  assertEquals(drillAt(book, day, t0 + day + 10 * 60_000, half), t0 + day + half, "stopped before the drill");
  assertEquals(drillAt(book, day, t0 + day + 18 * 3_600_000, half), undefined, "resumed past it");
});

Deno.test("the demo refuses a --bad-model-at past the replay's end, where the drill would never happen", () => {
  const book = bookSpanning(48);
  const day = 24 * 3_600_000;
  checkDrill(book, day, undefined);
  checkDrill(book, day, day);
  assertThrows(
    () => checkDrill(book, day, day + 60_000),
    ConfigError,
    "--bad-model-at 24.0 h is past the replay's end: its live part lasts 24.0 h after --history 24.0 h, " +
      "so the drill would never happen",
  );
  assertThrows(() => checkDrill(book, 3 * day, 60_000), ConfigError, "its live part lasts 0 s");
});

Deno.test("the demo warns when nothing is left to replay live: a --history as long as the market, or a replay already run", () => {
  const t0 = Date.UTC(2024, 0, 1);
  const book = bookSpanning(48);
  const day = 24 * 3_600_000;
  assertEquals(nothingLiveWarning(book, day, t0 + day), undefined);
  assertEquals(
    nothingLiveWarning(book, 3 * day, book.lastTs),
    "--history 3.0 d covers the whole market (48.0 h): it is all served as history and nothing is replayed " +
      "live; give a shorter --history, or a longer market (--minutes, or --file)",
  );
  assertEquals(
    nothingLiveWarning(book, day, book.lastTs)?.startsWith("an earlier run replayed this market to its end"),
    true,
  );
});
