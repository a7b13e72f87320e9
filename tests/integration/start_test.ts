/**
 * `deno task start` with news: the market is the simulator, CryptoPanic a fake on loopback and
 * the classifier a tiny distilled model, all in the one process; the headlines' signals land in
 * the stores, and SIGTERM stops everything cleanly.
 */
import { assert, assertEquals } from "../assert.ts";
import { DEFAULT_DISTILL, distill } from "../../src/news_model/distill.ts";
import { readTeacherData } from "../../src/news_model/teacher_data.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { syntheticTrades } from "../../src/sim/synthetic.ts";
import { runPipeline, withSim } from "../helpers.ts";
import { writeTeacherFile } from "../news_fixtures.ts";
import { fakeCryptoPanic, post, TOKEN } from "../fake_cryptopanic.ts";

Deno.test("start: news from CryptoPanic is classified in-process into the stores, beside ingest and the API", async () => {
  const dir = await Deno.makeTempDir();
  const fake = fakeCryptoPanic(
    () => [[post(2, 2, { title: "Bitcoin soars after a major exchange listing" }), post(1, 1)]],
  );
  try {
    const report = await distill(await readTeacherData([await writeTeacherFile(dir)]), `${dir}/news-model`, {
      ...DEFAULT_DISTILL,
      epochs: 150,
    });
    assert(report.kept);
    const trades = syntheticTrades({ pairs: ["BTC/USD"], start: Date.UTC(2024, 0, 1), minutes: 30 });
    await withSim(trades, { speed: 1 }, async (sim) => {
      const port = 22_000 + Math.floor(Math.random() * 20_000);
      const child = runPipeline(
        "start",
        [
          "--pairs",
          "BTC/USD",
          "--port",
          String(port),
          "--ws-url",
          sim.wsUrl,
          "--rest-url",
          sim.restUrl,
          "--api-url",
          fake.base,
          "--poll",
          "0.3",
          "--data-dir",
          `${dir}/data`,
          "--models-dir",
          `${dir}/models`,
        ],
        dir,
        { LOG_FORMAT: "json", CRYPTOPANIC_TOKEN: TOKEN, NEWS_MODEL: `${dir}/news-model` },
      );
      const out = child.output();
      const deadline = Date.now() + 60_000;
      let health: { system: { phase: string } } | null = null;
      while (Date.now() < deadline && (fake.requests.length < 3 || !health)) {
        try {
          health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
        } catch { /* not up yet */ }
        await new Promise((r) => setTimeout(r, 200));
      }
      assert(health, "the API did not come up");
      assert(fake.requests.length >= 3, `${fake.requests.length} CryptoPanic requests`);
      // The first poll's batch has been written once the next polls come.
      await new Promise((r) => setTimeout(r, 1000));
      child.kill("SIGTERM");
      const { code, stderr } = await out;
      const log = new TextDecoder().decode(stderr);
      assertEquals(code, 0, log.slice(-2000));
      assert(log.includes("news: CryptoPanic every 0.3s"), "the startup line says news is on");
      assert(!log.includes(TOKEN), "the token is never logged");
    });
    const store = await DuckDbFeatureStore.open(`${dir}/data/offline.duckdb`, { readOnly: true });
    try {
      const signals = await store.signals("BTC");
      assertEquals(signals.map((s) => s.news_id), ["1", "2"]);
      assertEquals(signals[1]!.signal, 1);
      assertEquals(signals[1]!.model, "news-model");
    } finally {
      store.close();
    }
  } finally {
    await fake.server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
