/** CryptoPanic posts responses parsed into headlines: pure, no network. */
import { assertEquals, assertThrows } from "../assert.ts";
import { parsePostsPage } from "../../src/sources/cryptopanic/api_messages.ts";

Deno.test("a posts page gives its news posts, counts the others, and keeps next", () => {
  const page = parsePostsPage({
    next: "https://cryptopanic.com/api/free/v1/posts/?page=2",
    results: [
      {
        kind: "news",
        id: 2,
        title: "Bitcoin up",
        published_at: "2025-02-26T10:30:00Z",
        currencies: [{ code: "BTC" }],
      },
      { kind: "media", id: 3, title: "A video", published_at: "2025-02-26T10:31:00Z" },
      { kind: "news", id: 4, title: "", published_at: "2025-02-26T10:32:00Z" },
    ],
  });
  assertEquals(page.items.map((i) => [i.id, i.currencies]), [["2", ["BTC"]]]);
  assertEquals([page.skipped, page.next], [2, "https://cryptopanic.com/api/free/v1/posts/?page=2"]);
});

Deno.test("an answer without results says what CryptoPanic said instead", () => {
  assertThrows(
    () => parsePostsPage({ status: "Incomplete", info: "Token not found" }),
    TypeError,
    "no results array (it says: Incomplete: Token not found)",
  );
  assertThrows(() => parsePostsPage("<html>"), TypeError, "no results array");
});
