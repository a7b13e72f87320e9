import { assert, assertEquals } from "../assert.ts";
import { eta, Progress, rateText, secondsLeft } from "../../src/util/progress.ts";
import { silent } from "../../src/util/log.ts";

Deno.test("a progress rate shows whole numbers from ten a second and two figures below", () => {
  assertEquals(
    [1_234_567.8, 10.4, 9.96, 2.345, 0.2134, 0.004567, 0, NaN].map(rateText),
    ["1,234,568/s", "10/s", "10/s", "2.3/s", "0.21/s", "0.0046/s", "0/s", "0/s"],
  );
});

Deno.test("the seconds left go by the pace since the first point seen, and are unknown until it moves", () => {
  assertEquals(secondsLeft({ at: 0, fraction: 0.2 }, { at: 10_000, fraction: 0.6 }), 10);
  assertEquals(secondsLeft({ at: 0, fraction: 0.2 }, { at: 0, fraction: 0.2 }), NaN);
  assertEquals(secondsLeft({ at: 0, fraction: 0.9 }, { at: 5_000, fraction: 0.9 }), NaN);
  // Done is done, however it got there: no "ETA ?" at 100%.
  assertEquals(secondsLeft({ at: 0, fraction: 1 }, { at: 0, fraction: 1 }), 0);
  assertEquals([eta(42.4), eta(65), eta(119.6), eta(3599.6), eta(7620), eta(NaN)], [
    "42s",
    "1m05s",
    "2m00s",
    "1h00m",
    "2h07m",
    "?",
  ]);
});

Deno.test("a progress line's ETA is ? at first, however far the job already is", async () => {
  const lines: string[] = [];
  const log = { ...silent, info: (m: string) => lines.push(m) };
  const progress = new Progress("backfill", log, false);
  progress.update({ fraction: 0.21, detail: "1,000 trades", rate: 13_514 }, true);
  await new Promise((r) => setTimeout(r, 20));
  progress.update({ fraction: 0.5, detail: "2,000 trades", rate: 13_514 }, true);
  assertEquals(lines[0], "backfill: 21.0% · 1,000 trades · 13,514/s · ETA ?");
  assert(/ETA \d+s$/.test(lines[1]!), lines[1]);
});
