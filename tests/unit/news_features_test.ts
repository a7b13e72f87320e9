import { assertEquals } from "../assert.ts";
import type { NewsSignal } from "../../src/domain/news.ts";
import {
  addSignal,
  initialNewsState,
  marketNewsFeaturesAt,
  newsFeaturesAt,
  pruneBefore,
} from "../../src/transforms/news_features.ts";

const T = Date.UTC(2025, 1, 26, 12, 0);
const MIN = 60_000;
const sig = (id: string, minutesBefore: number, signal: -1 | 0 | 1, coin = "BTC"): NewsSignal => ({
  news_id: id,
  coin,
  signal,
  score: 0.9,
  model: "test",
  published_at: T - minutesBefore * MIN,
  known_at: T - minutesBefore * MIN,
});

Deno.test("a headline published one second after a candle closes is not in that candle's features", () => {
  const s = initialNewsState();
  addSignal(s, sig("a", 10, 1));
  addSignal(s, { ...sig("late", 0, -1), published_at: T + 1000, known_at: T + 1000 });
  const at = newsFeaturesAt(s, "BTC", T);
  assertEquals([at.news_count_1h, at.news_signal_sum_1h], [1, 1]);
  const next = newsFeaturesAt(s, "BTC", T + MIN);
  assertEquals([next.news_count_1h, next.news_signal_sum_1h], [2, 0]);
});

Deno.test("a headline published before a close but fetched by a live poll after it counts from its fetch", () => {
  const s = initialNewsState();
  addSignal(s, sig("a", 10, 1));
  // Published 2 minutes before the close, first fetched 90 s after it.
  addSignal(s, { ...sig("polled", 2, -1), known_at: T + 90_000 });
  const at = newsFeaturesAt(s, "BTC", T);
  assertEquals([at.news_count_1h, at.news_signal_sum_1h, at.news_minutes_since_signal], [1, 1, 10]);
  const next = newsFeaturesAt(s, "BTC", T + 2 * MIN);
  assertEquals([next.news_count_1h, next.news_signal_sum_1h, next.news_minutes_since_signal], [2, 0, 0.5]);
});

Deno.test("spans are (t − span, t]: sum, mean and count per span, per coin", () => {
  const s = initialNewsState();
  for (
    const [id, m, v] of [["a", 30, 1], ["b", 59, 1], ["c", 60, -1], ["d", 200, -1], ["e", 1439, 1], [
      "f",
      1440,
      1,
    ]] as const
  ) {
    addSignal(s, sig(id, m, v));
  }
  addSignal(s, sig("x", 5, -1, "ETH"));
  const f = newsFeaturesAt(s, "BTC", T);
  assertEquals(
    [f.news_count_1h, f.news_signal_sum_1h, f.news_signal_mean_1h],
    [2, 2, 1],
    "60 minutes ago is outside 1h",
  );
  assertEquals([f.news_count_4h, f.news_signal_sum_4h], [4, 0]);
  assertEquals([f.news_count_24h, f.news_signal_sum_24h], [5, 1]);
  assertEquals(newsFeaturesAt(s, "ETH", T).news_signal_sum_1h, -1);
  assertEquals(newsFeaturesAt(s, "SOL", T).news_count_24h, 0);
  assertEquals(newsFeaturesAt(s, "SOL", T).news_signal_mean_24h, 0);
});

Deno.test("minutes since the last non-zero signal skip neutral ones and never look ahead", () => {
  const s = initialNewsState();
  addSignal(s, sig("a", 90, -1));
  addSignal(s, sig("b", 10, 0));
  assertEquals(newsFeaturesAt(s, "BTC", T).news_minutes_since_signal, 90);
  assertEquals(newsFeaturesAt(s, "BTC", T - 100 * MIN).news_minutes_since_signal, null);
});

Deno.test("signals arriving out of order or twice count once, in time order; pruning keeps the last 24h", () => {
  const s = initialNewsState();
  addSignal(s, sig("b", 5, 1));
  addSignal(s, sig("a", 50, -1));
  addSignal(s, sig("a", 50, -1));
  assertEquals(s.coins.BTC?.map(([, v]) => v), [-1, 1]);
  assertEquals(newsFeaturesAt(s, "BTC", T).news_count_1h, 2);
  addSignal(s, sig("old", 3000, 1));
  pruneBefore(s, T);
  assertEquals(s.coins.BTC?.length, 2);
  assertEquals(Object.keys(s.seen).sort(), ["a|BTC", "b|BTC"]);
});

Deno.test("market-wide signals are columns of their own, point in time: a future market headline is not seen", () => {
  const s = initialNewsState();
  addSignal(s, sig("m1", 100, -1, "MARKET"));
  addSignal(s, sig("m2", 10, 0, "MARKET"));
  addSignal(s, sig("b1", 5, 1));
  // Published one second after the candle's close: it belongs to the next candle.
  addSignal(s, { ...sig("future", 0, 1, "MARKET"), published_at: T + 1000, known_at: T + 1000 });
  const at = marketNewsFeaturesAt(s, T);
  assertEquals(
    [
      at.market_news_count_1h,
      at.market_news_count_4h,
      at.market_news_signal_sum_4h,
      at.market_news_signal_mean_4h,
    ],
    [1, 2, -1, -0.5],
  );
  assertEquals(at.market_news_minutes_since_signal, 100, "the neutral one is skipped, the future one unseen");
  // A coin's own columns never count market-wide signals, nor the market's a coin's.
  assertEquals(
    [newsFeaturesAt(s, "BTC", T).news_count_24h, newsFeaturesAt(s, "BTC", T).news_signal_sum_24h],
    [1, 1],
  );
  const next = marketNewsFeaturesAt(s, T + MIN);
  assertEquals([next.market_news_count_1h, next.market_news_signal_sum_1h], [2, 1]);
  assertEquals(next.market_news_minutes_since_signal, (MIN - 1000) / MIN);
});
