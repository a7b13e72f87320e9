/** `deno task news` as a user runs it: from a history file, and from a fake CryptoPanic on loopback. */
import { assert, assertEquals } from "../assert.ts";
import { DEFAULT_DISTILL, distill } from "../../src/news_model/distill.ts";
import { readTeacherData } from "../../src/news_model/teacher_data.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { runPipeline } from "../helpers.ts";
import { writeTeacherFile } from "../news_fixtures.ts";
import { fakeCryptoPanic, post, TOKEN } from "../fake_cryptopanic.ts";
import { fakeLlm } from "../fake_llm.ts";
import { newsConfig } from "../../src/config.ts";
import { classifyNews } from "../../src/jobs/news_job.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

async function tinyModel(dir: string): Promise<string> {
  const report = await distill(
    await readTeacherData([await writeTeacherFile(dir)]),
    `${dir}/model`,
    { ...DEFAULT_DISTILL, epochs: 150 },
  );
  assert(report.kept);
  return `${dir}/model`;
}

async function storedSignals(dataDir: string, coin: string) {
  const store = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`, { readOnly: true });
  try {
    return await store.signals(coin);
  } finally {
    store.close();
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("news task: a history file becomes per-coin signals in the store, once however often it runs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = await tinyModel(dir);
    for (let run = 0; run < 2; run++) {
      const { code, stderr } = await runPipeline(
        "news",
        ["--file", `${FIXTURES}news.jsonl`, "--news-model", model, "--data-dir", `${dir}/data`],
        dir,
      ).output();
      const log = new TextDecoder().decode(stderr);
      assertEquals(code, 0, log);
      assert(log.includes("done:"), log);
    }
    const btc = await storedSignals(`${dir}/data`, "BTC");
    assertEquals(btc.map((s) => s.news_id), ["n1"]);
    assertEquals(btc[0]!.signal, 1);
    assertEquals(btc[0]!.model, "model");
    assertEquals((await storedSignals(`${dir}/data`, "SOL")).map((s) => s.news_id), ["n2"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news task: a file's post that a live poll recorded is known from its recorded fetch, not from when the file is read", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = await tinyModel(dir);
    const published = Date.UTC(2019, 6, 1, 0, 19, 30), fetched = Date.UTC(2019, 6, 1, 0, 21, 30);
    await Deno.writeTextFile(
      `${dir}/polled.jsonl`,
      `{"id":"p","title":"Bitcoin crashes","published_at":${published},"seen_at":${fetched},"currencies":["BTC"]}\n` +
        `{"id":"h","title":"Bitcoin surges","published_at":${published},"currencies":["BTC"]}\n`,
    );
    const { code, stderr } = await runPipeline(
      "news",
      ["--file", `${dir}/polled.jsonl`, "--news-model", model, "--data-dir", `${dir}/data`],
      dir,
    ).output();
    assertEquals(code, 0, new TextDecoder().decode(stderr));
    const btc = await storedSignals(`${dir}/data`, "BTC");
    assertEquals(btc.map((s) => [s.news_id, s.known_at]).sort(), [["h", published], ["p", fetched]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news task: Ctrl-C during a file says how far it got and exits 130, not done", async () => {
  const dir = await Deno.makeTempDir();
  const fake = fakeLlm({ latencyMs: 30 });
  try {
    const lines = Array.from(
      { length: 40 },
      (_, i) =>
        JSON.stringify({
          id: `h${i}`,
          title: `Bitcoin surges ${i}`,
          published_at: Date.UTC(2026, 1, 1, 0, i),
        }),
    );
    await Deno.writeTextFile(`${dir}/h.jsonl`, lines.join("\n") + "\n");
    const cfg = newsConfig(
      ["--file", `${dir}/h.jsonl`, "--news-model", "ollama:llama3.2", "--llm-url", fake.url, "--batch", "4"],
      () => undefined,
    );
    cfg.dataDir = `${dir}/data`;
    const said: string[] = [];
    const keep = (m: string) => void said.push(m);
    const controller = new AbortController();
    const stopping = waitFor(() => fake.requests.length >= 6, 10_000).then(() => controller.abort());
    const code = await classifyNews(
      cfg,
      { debug: keep, info: keep, warn: keep, error: keep },
      controller.signal,
    );
    await stopping;
    assertEquals(code, 130, said.join("\n"));
    assert(!said.some((l) => l.startsWith("done:")), said.join("\n"));
    assert(said.some((l) => /^interrupted after \d+ of 40 headlines/.test(l)), said.join("\n"));
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news task: polls CryptoPanic, and after a restart classifies only the posts it has not seen", async () => {
  const dir = await Deno.makeTempDir();
  let pages = [[
    post(3, 3),
    post(2, 2, { currencies: undefined, title: "Ethereum slides as regulators sue" }),
  ], [
    post(1, 1),
  ]];
  const fake = fakeCryptoPanic(() => pages);
  try {
    const model = await tinyModel(dir);
    const run = async (until: () => boolean) => {
      const child = runPipeline(
        "news",
        [
          "--news-model",
          model,
          "--data-dir",
          `${dir}/data`,
          "--api-url",
          fake.base,
          "--poll",
          "0.2",
          "--api-rate",
          "100",
        ],
        dir,
        { CRYPTOPANIC_TOKEN: TOKEN },
      );
      const out = child.output();
      await waitFor(until, 30_000);
      child.kill("SIGTERM");
      const { code, stderr } = await out;
      const log = new TextDecoder().decode(stderr);
      assertEquals(code, 0, log);
      assert(!log.includes(TOKEN), "the token is never logged");
      return log;
    };
    const first = await run(() => fake.requests.length >= 4);
    assert(first.includes("3 new posts on start"), first);
    assertEquals((await storedSignals(`${dir}/data`, "BTC")).map((s) => s.news_id), ["1", "3"]);
    assertEquals((await storedSignals(`${dir}/data`, "ETH")).map((s) => [s.news_id, s.signal]), [["2", -1]]);

    pages = [[post(5, 5), post(4, 4), post(3, 3)], [post(2, 2), post(1, 1)]];
    const seenBefore = fake.requests.length;
    const second = await run(() => fake.requests.length >= seenBefore + 3);
    assert(second.includes("2 new posts on start"), second);
    assertEquals((await storedSignals(`${dir}/data`, "BTC")).map((s) => s.news_id), ["1", "3", "4", "5"]);
  } finally {
    await fake.server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("news task: a refused token stops with a clear message that does not show it", async () => {
  const dir = await Deno.makeTempDir();
  const fake = fakeCryptoPanic(() => [[post(1, 1)]]);
  try {
    const model = await tinyModel(dir);
    const { code, stderr } = await runPipeline(
      "news",
      ["--news-model", model, "--data-dir", `${dir}/data`, "--api-url", fake.base],
      dir,
      { CRYPTOPANIC_TOKEN: "wrong-token-456" },
    ).output();
    const log = new TextDecoder().decode(stderr);
    assertEquals(code, 1, log);
    assert(log.includes("CRYPTOPANIC_TOKEN") && !log.includes("wrong-token-456"), log);
    const missing = await runPipeline("news", ["--data-dir", `${dir}/data`], dir, { CRYPTOPANIC_TOKEN: "" })
      .output();
    assertEquals(missing.code, 2);
    assert(new TextDecoder().decode(missing.stderr).includes("set CRYPTOPANIC_TOKEN"));
  } finally {
    await fake.server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
