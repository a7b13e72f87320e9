import { assertEquals } from "../assert.ts";
import type { NewsItem, NewsSignal } from "../../src/domain/news.ts";
import { newsFileSummary, NewsTally } from "../../src/jobs/news_report.ts";

const T = Date.UTC(2024, 0, 1);

function item(id: string, minute: number): NewsItem {
  return { id, title: id, published_at: T + minute * 60_000, source: null, currencies: [] };
}

function sig(id: string, coin: string, signal: -1 | 0 | 1): NewsSignal {
  return { news_id: id, coin, signal, score: 0.9, model: "m", published_at: T, known_at: T };
}

Deno.test("the news tally counts headlines, signals by class and the newest time read", () => {
  const tally = new NewsTally();
  tally.add({ items: [item("a", 0), item("b", 1)], signals: [sig("a", "BTC", 1), sig("a", "ETH", 1)] });
  tally.add({ items: [item("c", 2)], signals: [sig("c", "BTC", -1), sig("c", "SOL", 0)] });
  assertEquals(
    tally.detail(T + 2 * 60_000),
    "3 headlines → 4 signals (+1: 2, 0: 1, -1: 1) · up to 2024-01-01T00:02:00.000Z",
  );
});

Deno.test("the news summary names the coins with most signals, ties in the order first seen", () => {
  const tally = new NewsTally();
  tally.add({
    items: [item("a", 0)],
    signals: [sig("a", "ETH", 0), sig("a", "BTC", 1), sig("b", "BTC", 1), sig("c", "SOL", 0)],
  });
  assertEquals(
    tally.summary("tiny", "data"),
    "done: 1 headlines, 4 signals by tiny (BTC 2, ETH 1, SOL 1) in data",
  );
  assertEquals(new NewsTally().summary("tiny", "data"), "done: 0 headlines, 0 signals by tiny in data");
});

Deno.test("a news file's line says only the drops that happened", () => {
  assertEquals(
    newsFileSummary("n.json", { shape: "api", items: 10, bad: 1, duplicates: 2, otherKinds: 1 }),
    "n.json: 10 headlines (api, 2 repeated ids dropped, 1 posts of another kind than news left out, " +
      "1 bad entries skipped)",
  );
  assertEquals(
    newsFileSummary("n.jsonl", { shape: "jsonl", items: 3, bad: 0, duplicates: 0, otherKinds: 0 }),
    "n.jsonl: 3 headlines (jsonl)",
  );
});
