/**
 * The market-wide news columns as model inputs: new models read them, and a model whose card
 * predates them keeps loading and serving on the features its card names, in its order.
 */
import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { seed } from "../serve_fixtures.ts";
import { MARKET_NEWS_COLUMNS } from "../../src/domain/feature_row.ts";
import type { RidgeModel } from "../../src/model/ridge.ts";
import { ridgeOnnx } from "../../src/registry/onnx_export.ts";
import { OnnxPredictor } from "../../src/registry/predictor.ts";

const NAME = "btc-usd_1m_h1";
const MARKET = new Set<string>(MARKET_NEWS_COLUMNS);

Deno.test("a model whose card predates the market-wide news columns still loads and serves on its own features", async () => {
  const dir = await Deno.makeTempDir();
  const s = await seed(dir);
  const predictor = new OnnxPredictor(s.registry, "BTC/USD", "1m", 1);
  try {
    const card = await s.registry.card(NAME, "v0001");
    assert(
      MARKET_NEWS_COLUMNS.every((c) => card.features.includes(c)),
      "a new model reads the market columns",
    );
    // The card of a model trained before them: the same features less the market ones. Its ridge
    // reads log_return_1 and news_count_1h, so a misplaced input shows in the prediction.
    const legacy = card.features.filter((f) => !MARKET.has(f));
    const model: RidgeModel = {
      kind: "ridge",
      mean: legacy.map(() => 0),
      std: legacy.map(() => 1),
      weights: legacy.map((f) => f === "log_return_1" ? 1 : f === "news_count_1h" ? 0.5 : 0),
      intercept: 0,
      lambda: 1,
    };
    const version = await s.registry.reserve(NAME);
    await s.registry.save({ ...card, version, features: legacy }, ridgeOnnx(model, "legacy", {}));
    await s.registry.promote(NAME, version, "promote", "test");

    assertEquals(await predictor.refresh(), "swapped", predictor.lastError ?? "");
    const row = (await s.online.modelRow("BTC/USD", "1m"))!;
    assertEquals(row.market_news_count_24h, 0, "the online store gives every row its market columns");
    const p = await predictor.predict({ ...row, news_count_1h: 2, market_news_count_1h: 5 });
    assertEquals(p.model.version, version);
    assertAlmostEquals(p.log_return, row.log_return_1! + 1, 1e-5);
  } finally {
    await predictor.close();
    s.online.close();
    await Deno.remove(dir, { recursive: true });
  }
});
