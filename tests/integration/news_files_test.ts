/** News history files: the project's JSONL and the real CryptoPanic files in ../shared/data/news. */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { hasSharedData, sharedFile } from "../helpers.ts";
import { newsFile } from "../../src/sources/files/news_file.ts";
import { signalCoins } from "../../src/transforms/news_signals.ts";

Deno.test("the project's news JSONL: ISO or epoch ms times, ids deduplicated, oldest first", async () => {
  const { stream, stats } = await newsFile(new URL("../fixtures/news.jsonl", import.meta.url).pathname);
  const items = await Array.fromAsync(stream);
  assertEquals(items.map((i) => i.id), ["n1", "n2"]);
  assertEquals(items[1]?.published_at, 1740567600000);
  assertEquals([stats.shape, stats.duplicates], ["jsonl", 1]);
});

Deno.test("a JSONL post a live poll recorded keeps when it was fetched; one without is history", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/n.jsonl`,
    '{"id":"a","title":"polled","published_at":"2025-02-26T10:00:00Z","seen_at":"2025-02-26T10:01:30Z"}\n' +
      '{"id":"b","title":"history","published_at":1740564000000}\n',
  );
  const items = await Array.fromAsync((await newsFile(`${dir}/n.jsonl`)).stream);
  assertEquals(items.map((i) => [i.id, i.seen_at]), [["a", Date.UTC(2025, 1, 26, 10, 1, 30)], [
    "b",
    undefined,
  ]]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a bad news entry fails the read with where it is", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/n.jsonl`,
    '{"id":"a","title":"ok","published_at":1}\n{"id":"b","title":"","published_at":1}\n',
  );
  await assertRejects(() => newsFile(`${dir}/n.jsonl`), TypeError, "line 2: title is empty");
  const { stats } = await newsFile(`${dir}/n.jsonl`, { skipBad: true });
  assertEquals([stats.items, stats.bad], [1, 1]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a news time that cannot be read names its field and the value, in every shape", async () => {
  const dir = await Deno.makeTempDir();
  const cases: [string, string, string][] = [
    [
      "n.jsonl",
      '{"id":"a","title":"t","published_at":"yesterday"}\n',
      'line 1: published_at is not a time: "yesterday"',
    ],
    ["m.jsonl", '{"id":"a","title":"t"}\n', "line 1: published_at is missing"],
    [
      "s.jsonl",
      '{"id":"a","title":"t","published_at":1,"seen_at":"later"}\n',
      'seen_at is not a time: "later"',
    ],
    [
      "api.json",
      '{"results":[{"id":1,"title":"t","published_at":null}]}',
      "result 1: published_at is missing",
    ],
    ["scrape.json", '{"/news/1/t":{"title":"t","date":"Feb 30th"}}', 'date is not a time: "Feb 30th"'],
    ["n.csv", "Time,Title\nsoon,t\n", 'record 1: time is not a time: "soon" (ISO 8601 or epoch ms)'],
  ];
  for (const [name, text, message] of cases) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    await assertRejects(() => newsFile(`${dir}/${name}`), TypeError, message);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an empty, broken or array JSON news file fails naming the file, not as a CSV without its columns", async () => {
  const dir = await Deno.makeTempDir();
  const cases: [string, string, string][] = [
    ["empty.json", "", "empty.json is empty: it holds no headlines"],
    ["blank.csv", " \n", "blank.csv is empty"],
    ["cut.json", '{"results": [{"id": 1, "ti', "cut.json: not valid JSON ("],
    ["list.json", '[{"title": "t"}]', "list.json: a JSON array is no news file"],
  ];
  for (const [name, text, message] of cases) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    const e = await assertRejects(() => newsFile(`${dir}/${name}`), TypeError, message);
    assert(!e.message.includes("CSV"), e.message);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("JSONL and gzip are read by content too, whatever the file is named", async () => {
  const dir = await Deno.makeTempDir();
  const jsonl =
    '{"id":"a","title":"Bitcoin up","published_at":1}\n{"id":"b","title":"Ether down","published_at":2}\n';
  await Deno.writeTextFile(`${dir}/news.json`, jsonl);
  const gz = await new Response(
    ReadableStream.from([new TextEncoder().encode(jsonl)]).pipeThrough(new CompressionStream("gzip")),
  ).bytes();
  await Deno.writeFile(`${dir}/news.jsonl`, gz);
  for (const name of ["news.json", "news.jsonl"]) {
    const { stream, stats } = await newsFile(`${dir}/${name}`);
    assertEquals(
      [stats.shape, (await Array.fromAsync(stream)).map((i) => i.id)],
      ["jsonl", ["a", "b"]],
      name,
    );
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "the real CryptoPanic files in ../shared/data/news load in full, with their documented spans",
  ignore: !hasSharedData(),
  async fn() {
    const cases: [string, string, number, string, string][] = [
      [
        "cryptopanic_api_v1_posts_response_2025-02-26.json",
        "api",
        19,
        "2025-02-26T10:30:00.000Z",
        "2025-02-26T11:20:14.000Z",
      ],
      // 3,268 entries, one of them a repeat of an earlier post id under another slug.
      ["cryptopanic_scrape_2026-02_mmarqx.json.gz", "scrape", 3267, "2026-02-01T00:01", "2026-02-23T00:50"],
      [
        "cryptopanic_scrape_2025-11_with_vader_mmarqx.json.gz",
        "scrape",
        905,
        "2025-11-14T19:30",
        "2025-11-17T18:40",
      ],
      ["cryptopanic_ui_scrape_2025-01_02_L1ZLe.csv", "csv", 990, "2024-08-28T08:09", "2025-02-07T14:30"],
    ];
    for (const [file, shape, count, first, last] of cases) {
      const { stream, stats } = await newsFile(sharedFile(`news/${file}`));
      const items = await Array.fromAsync(stream);
      assertEquals([stats.shape, items.length], [shape, count], file);
      assert(new Date(items[0]!.published_at).toISOString().startsWith(first), `${file} starts ${first}`);
      assert(new Date(items.at(-1)!.published_at).toISOString().startsWith(last), `${file} ends ${last}`);
    }
  },
});

Deno.test({
  name: "the February 2026 scrape's tags that are words, prices or pairs do not become coins",
  ignore: !hasSharedData(),
  async fn() {
    const { stream } = await newsFile(sharedFile("news/cryptopanic_scrape_2026-02_mmarqx.json.gz"));
    const per = new Map<string, number>();
    for await (const item of stream) {
      for (const coin of signalCoins(item)) per.set(coin, (per.get(coin) ?? 0) + 1);
    }
    // BITCOIN- and BTCUSD-tagged headlines reach BTC, and a word tag gives way to the coin its title
    // names; tags neither known nor named stay apart from MARKET.
    assertEquals([per.get("BTC"), per.get("ETH"), per.get("MARKET")], [1090, 324, 1257]);
    assertEquals(["BITCOIN", "BTCUSD", "67", "WOULD", "A", "IN"].filter((w) => per.has(w)), []);
    assertEquals(per.size, 165);
  },
});
