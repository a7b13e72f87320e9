import { assertEquals, assertThrows } from "../assert.ts";
import { SimClock } from "../../src/sim/clock.ts";

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
