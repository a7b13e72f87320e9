/** The CryptoPanic client and news stream against a fake CryptoPanic on loopback. */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { CryptoPanic, CryptoPanicAuthError } from "../../src/sources/cryptopanic/client.ts";
import { cryptoPanicNews, lagText } from "../../src/sources/cryptopanic/news_stream.ts";
import { SeenIds } from "../../src/stores/seen_ids.ts";
import { take } from "../helpers.ts";
import { silent } from "../../src/util/log.ts";
import { fakeCryptoPanic, post, TOKEN } from "../fake_cryptopanic.ts";

const fast = { rate: 1000, backoff: { baseMs: 5, maxMs: 20 } };

/** What the stream hands on from its first poll (`n` items at most, within `ms`), then stopped. */
async function firstPoll(client: CryptoPanic, seen: SeenIds, n: number, ms: number) {
  const controller = new AbortController();
  const got = await take(
    cryptoPanicNews({ client, seen, intervalMs: 60_000, signal: controller.signal }),
    n,
    ms,
  );
  controller.abort();
  return got;
}

Deno.test("CryptoPanic: pages are followed back on start, v1 currencies and v2 instruments both read", async () => {
  const fake = fakeCryptoPanic(() => [
    [post(5, 50, { instruments: [{ code: "ETH" }] }), post(4, 40, { currencies: [{ code: "BTC" }] })],
    [post(3, 30), post(2, 20, { kind: "media" }), post(1, 10)],
  ]);
  try {
    const dir = await Deno.makeTempDir();
    const seen = await SeenIds.open(`${dir}/seen.json`);
    const client = new CryptoPanic({ baseUrl: fake.base, token: TOKEN, currencies: ["BTC", "ETH"], ...fast });
    const got = await firstPoll(client, seen, 10, 1500);
    assertEquals(got.map((n) => n.id), ["1", "3", "4", "5"], "oldest first, media skipped");
    assertEquals(
      got.map((n) => n.currencies),
      [[], [], ["BTC"], ["ETH"]],
      "a post without currencies has none",
    );
    assertEquals(fake.requests[0]?.searchParams.get("public"), "true");
    assertEquals(fake.requests[0]?.searchParams.get("kind"), "news");
    assertEquals(fake.requests[0]?.searchParams.get("currencies"), "BTC,ETH");
    await Deno.remove(dir, { recursive: true });
  } finally {
    await fake.server.shutdown();
  }
});

Deno.test("CryptoPanic: 429 waits for Retry-After, 5xx is retried, and polling hands on only new posts, with when", async () => {
  let posts = [[post(2, 20), post(1, 10)]];
  const fake = fakeCryptoPanic(() => posts, (n) => {
    if (n === 1) return new Response("slow down", { status: 429, headers: { "retry-after": "0.2" } });
    if (n === 2) return new Response("oops", { status: 502 });
    return null;
  });
  try {
    const dir = await Deno.makeTempDir();
    const seen = await SeenIds.open(`${dir}/seen.json`);
    const client = new CryptoPanic({ baseUrl: fake.base, token: TOKEN, ...fast });
    const controller = new AbortController();
    const started = Date.now();
    const stream = cryptoPanicNews({
      client,
      seen,
      intervalMs: 100,
      signal: controller.signal,
      now: () => 4242,
    });
    const first = await take(stream, 2, 3000);
    assert(Date.now() - started >= 200, "Retry-After was honoured");
    posts = [[post(3, 30), post(2, 20), post(1, 10)]];
    const more = await take(stream, 1, 3000);
    controller.abort();
    assertEquals([...first, ...more].map((n) => n.id), ["1", "2", "3"]);
    // Paged back through on start, posts are history; a poll's carry the time it fetched them.
    assertEquals([...first, ...more].map((n) => n.seen_at), [undefined, undefined, 4242]);
    assertEquals([client.stats.throttled, client.stats.retries >= 2], [1, true]);
    await Deno.remove(dir, { recursive: true });
  } finally {
    await fake.server.shutdown();
  }
});

Deno.test("CryptoPanic: posts seen before a restart are not handed on again", async () => {
  const fake = fakeCryptoPanic(() => [[post(2, 20), post(1, 10)]]);
  try {
    const dir = await Deno.makeTempDir();
    const run = async () => {
      const seen = await SeenIds.open(`${dir}/seen.json`);
      const client = new CryptoPanic({ baseUrl: fake.base, token: TOKEN, ...fast });
      const got = await firstPoll(client, seen, 5, 800);
      await seen.save();
      return got.map((n) => n.id);
    };
    assertEquals(await run(), ["1", "2"]);
    assertEquals(await run(), []);
    await Deno.remove(dir, { recursive: true });
  } finally {
    await fake.server.shutdown();
  }
});

Deno.test("CryptoPanic: a poll that finds more new posts than a page holds follows next, so none is lost", async () => {
  let posts = [[post(2, 20), post(1, 10)]];
  const fake = fakeCryptoPanic(() => posts);
  try {
    const dir = await Deno.makeTempDir();
    const seen = await SeenIds.open(`${dir}/seen.json`);
    const client = new CryptoPanic({ baseUrl: fake.base, token: TOKEN, ...fast });
    const controller = new AbortController();
    const stream = cryptoPanicNews({ client, seen, intervalMs: 100, signal: controller.signal });
    const first = await take(stream, 2, 3000);
    // Five new posts between two polls, two a page: the oldest three are on the pages behind.
    posts = [[post(7, 70), post(6, 60)], [post(5, 50), post(4, 40)], [post(3, 30), post(2, 20)], [
      post(1, 10),
    ]];
    const more = await take(stream, 5, 3000);
    controller.abort();
    assertEquals([...first, ...more].map((n) => n.id), ["1", "2", "3", "4", "5", "6", "7"]);
    // Page 3 holds posts seen before: the gap is closed there, and the page behind it is not asked for.
    assert(!fake.requests.some((u) => u.searchParams.get("page") === "4"), "page 4 was fetched");
    await Deno.remove(dir, { recursive: true });
  } finally {
    await fake.server.shutdown();
  }
});

Deno.test("CryptoPanic: a post pushed onto the next page while the pages are fetched is handed on once", async () => {
  let posts = [[post(3, 30), post(2, 20)], [post(1, 10)]];
  // A new post arrives after page 1 was served, so post 2 is on page 2 as well.
  const fake = fakeCryptoPanic(() => posts, (n) => {
    if (n === 2) posts = [[post(4, 40), post(3, 30)], [post(2, 20), post(1, 10)]];
    return null;
  });
  try {
    const dir = await Deno.makeTempDir();
    const seen = await SeenIds.open(`${dir}/seen.json`);
    const client = new CryptoPanic({ baseUrl: fake.base, token: TOKEN, ...fast });
    const got = await firstPoll(client, seen, 9, 800);
    assertEquals(got.map((n) => n.id), ["1", "2", "3"]);
    await Deno.remove(dir, { recursive: true });
  } finally {
    await fake.server.shutdown();
  }
});

Deno.test("CryptoPanic: once polling, a failed poll is logged and the next one goes on; a refused token still stops", async () => {
  let posts = [[post(1, 10)]];
  let refuse = false;
  const fake = fakeCryptoPanic(() => posts, (n) => {
    if (refuse) return new Response("no", { status: 403 });
    if (n === 2) return new Response("oops", { status: 503 });
    if (n === 3) return new Response("<html>gateway</html>", { status: 200 });
    return null;
  });
  try {
    const dir = await Deno.makeTempDir();
    const seen = await SeenIds.open(`${dir}/seen.json`);
    const client = new CryptoPanic({ baseUrl: fake.base, token: TOKEN, ...fast, maxAttempts: 1 });
    const warnings: string[] = [];
    const log = { ...silent, warn: (m: string) => warnings.push(m) };
    const controller = new AbortController();
    const stream = cryptoPanicNews({ client, seen, intervalMs: 50, signal: controller.signal, log });
    const first = await take(stream, 1, 3000);
    posts = [[post(2, 20), post(1, 10)]];
    const more = await take(stream, 1, 3000);
    assertEquals([...first, ...more].map((n) => n.id), ["1", "2"]);
    assertEquals(warnings.length, 2, warnings.join("\n"));
    assert(
      warnings[0]!.includes("HTTP 503") && warnings[1]!.includes("unreadable page"),
      warnings.join("\n"),
    );
    refuse = true;
    const reader = stream.getReader();
    await assertRejects(() => reader.read(), CryptoPanicAuthError, "HTTP 403");
    controller.abort();
    await Deno.remove(dir, { recursive: true });
  } finally {
    await fake.server.shutdown();
  }
});

Deno.test("CryptoPanic: 401 stops with a clear message and never shows the token", async () => {
  const fake = fakeCryptoPanic(() => [[]]);
  try {
    const client = new CryptoPanic({ baseUrl: fake.base, token: "wrong-token-456", ...fast });
    const e = await assertRejects(() => client.page(), CryptoPanicAuthError, "HTTP 401");
    assert(!e.message.includes("wrong-token-456") && e.message.includes("CRYPTOPANIC_TOKEN"), e.message);
    const down = new CryptoPanic({
      baseUrl: "http://127.0.0.1:1/api",
      token: "wrong-token-456",
      ...fast,
      maxAttempts: 2,
    });
    const e2 = await assertRejects(() => down.page(), Error, "failed 2 times");
    assert(!e2.message.includes("wrong-token-456"), e2.message);
  } finally {
    await fake.server.shutdown();
  }
});

Deno.test("a poll's log line says how long before it its posts were published", () => {
  const at = (ms: number) => ({
    id: "1",
    title: "t",
    published_at: 1_000_000 - ms,
    source: null,
    currencies: [],
  });
  assertEquals(lagText([at(40_000), at(360_000)], 1_000_000), ", published 40 s to 6 min before this poll");
  assertEquals(lagText([at(5_000)], 1_000_000), ", published 5 s before this poll");
  // A post from long ago (a first poll of a quiet feed) in hours or days, not 927030 min.
  const day = 86_400_000;
  assertEquals(lagText([at(3 * 3_600_000)], 1_000_000), ", published 3 h before this poll");
  assertEquals(lagText([at(5_000), at(643 * day)], 1_000_000), ", published 5 s to 643 d before this poll");
});
