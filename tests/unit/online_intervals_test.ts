import { assert, assertEquals } from "../assert.ts";
import { conformalQuantile } from "../../src/model/conformal.ts";
import {
  adaptedLevel,
  nextDrift,
  observeRealised,
  RankedScores,
  ScoreBook,
} from "../../src/model/online_intervals.ts";
import type { Prediction } from "../../src/domain/prediction.ts";
import { seededRandom } from "../../src/util/random.ts";

const DAY = 86_400_000;

Deno.test("the weighted quantile: equal weights give the plain conformal one, recent scores count more", () => {
  const book = new ScoreBook();
  const scores = Array.from({ length: 99 }, (_, i) => i + 1);
  [...scores].reverse().forEach((s) => book.add(s, 0));
  assertEquals(book.scores, scores, "kept in order");
  for (const level of [0.5, 0.8, 0.95]) {
    assertEquals(book.quantile(level, 0, DAY), conformalQuantile(scores, level));
  }
  // The large scores are recent, the small ones a week older: the quantile rises.
  const recent = new ScoreBook();
  scores.forEach((s) => recent.add(s, s > 50 ? 7 * DAY : 0));
  const q = recent.quantile(0.8, 7 * DAY, DAY);
  assert(q > conformalQuantile(scores, 0.8), `${q}`);
  // Too little weight for the level: the widest interval the scores give, never an infinite one.
  const two = new ScoreBook();
  two.add(1, 0);
  two.add(2, 0);
  assertEquals(two.quantile(0.95, 0, DAY), 2);
  assertEquals(new ScoreBook().quantile(0.8, 0, DAY), Infinity);
});

Deno.test("ranked scores answer as the score book does, score by score as they are added", () => {
  const r = seededRandom(3);
  const universe = Array.from({ length: 400 }, () => r() * r());
  const times = universe.map((_, i) => i * 600_000 + Math.floor(r() * 300_000));
  const ranked = new RankedScores(universe, times[200]!, DAY);
  const book = new ScoreBook();
  for (let i = 0; i < universe.length; i++) {
    ranked.add(i, times[i]!);
    book.add(universe[i]!, times[i]!);
    const at = times[i]! + 300_000;
    for (const level of [0.5, 0.8, 0.95, 0.995]) {
      assertEquals(ranked.quantile(level, at), book.quantile(level, at, DAY), `after ${i + 1} at ${level}`);
    }
  }
});

Deno.test("adaptive levels: a miss raises the level by γL, a hit lowers it by γ(1 − L), within bounds", () => {
  let drift = 0;
  drift = nextDrift(0.8, drift, false);
  assertEquals(adaptedLevel(0.8, drift).toFixed(6), (0.8 + 0.005 * 0.8).toFixed(6));
  drift = nextDrift(0.8, drift, true);
  assertEquals(adaptedLevel(0.8, drift).toFixed(6), (0.8 + 0.005 * 0.6).toFixed(6));
  assertEquals(adaptedLevel(0.8, 1e6), 0.995);
  assertEquals(adaptedLevel(0.8, -1e6), 0.5);
  // Misses at the nominal rate leave it where it was.
  let d = 0;
  for (let k = 0; k < 100; k++) d = nextDrift(0.8, d, k % 5 !== 0);
  assert(Math.abs(d) < 1e-9, `${d}`);
});

Deno.test("a realised close gives its version a score (|log(close / predicted)| / σ) at its row's start, and its hits", () => {
  const p: Prediction = {
    pair: "BTC/USD",
    window: "1m",
    made_at: 600_000,
    horizon: 1,
    horizon_s: 60,
    current_close: 100,
    predicted_close: 101,
    model: { name: "btc-usd_1m_h1", version: "v0003" },
    realised_close: null,
    interval_80: [100, 102],
    interval_95: [99, 103],
    interval_scale: 0.01,
  };
  const s = observeRealised(null, p, 102.5)!;
  assertEquals(s.version, "v0003");
  assertEquals(s.scores[0]!.toFixed(4), (Math.log(102.5 / 101) / 0.01).toFixed(4));
  assertEquals(s.times, [540_000]);
  assertEquals([s.drift["0.8"]!.toFixed(9), s.drift["0.95"]!.toFixed(9)], ["0.800000000", "-0.050000000"]);
  // Naive's, a fallback's, and one made before predictions carried their σ teach nothing.
  assertEquals(observeRealised(null, { ...p, model: { name: "naive", version: null } }, 102), null);
  assertEquals(observeRealised(null, { ...p, model: { ...p.model, reason: "worse than naive" } }, 102), null);
  const { interval_scale: _, ...older } = p;
  assertEquals(observeRealised(null, older, 102), null);
});
