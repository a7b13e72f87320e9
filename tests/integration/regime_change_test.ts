/**
 * The loop end to end on a seeded market with a regime change, on an accelerated clock: the first
 * model (trained on a trending market) goes stale when returns start to mean-revert; the scheduled
 * retraining (the real one, in a Worker) produces a challenger that shadows, earns promotion, and
 * live skill recovers. Asserted on the stored predictions and the registry, not on logs.
 */
import assert from "node:assert/strict";
import { WINDOW_MS } from "../../src/domain/candle.ts";
import { modelName } from "../../src/domain/model_card.ts";
import type { Prediction } from "../../src/domain/prediction.ts";
import { buildDataset } from "../../src/model/dataset.ts";
import { OnnxPredictor } from "../../src/registry/predictor.ts";
import { Registry } from "../../src/registry/registry.ts";
import { trainAndRegister } from "../../src/registry/train_and_register.ts";
import { LivePredictions } from "../../src/serve/live_predictions.ts";
import { KvLoopStore } from "../../src/stores/loop_store.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { KvFeatureStore } from "../../src/stores/online_kv.ts";
import { KvPredictionStore } from "../../src/stores/prediction_store.ts";
import { ModelLoop } from "../../src/system/model_loop.ts";
import { FIRST_MODEL_TRAINING } from "../../src/system/training_policy.ts";
import { silent } from "../../src/util/log.ts";
import { syntheticRows } from "../model_fixtures.ts";

const HOUR = 3_600_000;
const CHANGE = 1440;
const END = CHANGE + 1500;

Deno.test({
  name:
    "a regime change: the stale champion is replaced by a retrained challenger on live evidence, skill recovers",
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "regime_" });
    const rows = syntheticRows(END, { phi: 0.5, seed: 11, change: { at: CHANGE, phi: -0.5 } });
    const offline = await DuckDbFeatureStore.open(`${dir}/offline.duckdb`);
    const online = await KvFeatureStore.open(`${dir}/online.kv`);
    const registry = new Registry(`${dir}/models`);
    const predictions = new KvPredictionStore(online.kv);
    const name = modelName("BTC/USD", "1m", 1);
    const predictor = new OnnxPredictor(registry, "BTC/USD", "1m", 1);
    try {
      // The first model, on the trending day before the change.
      await offline.upsert(rows.slice(0, CHANGE));
      await online.upsert(rows.slice(0, CHANGE));
      const first = await trainAndRegister(
        await buildDataset(offline, { pair: "BTC/USD", window: "1m", horizon: 1 }),
        { ...FIRST_MODEL_TRAINING, budget: 4, registry },
      );
      assert.ok(first.promoted, first.reason);
      await predictor.refresh();

      let now = rows[CHANGE - 1]!.window_end;
      const decisions: string[] = [];
      const loop = await ModelLoop.open({
        shadow: 60,
        guard: 60,
        retrainEveryMs: 4 * HOUR,
        trainWindowMs: 8 * HOUR,
        maxAgeMs: 1000 * HOUR,
        alpha: 0.05,
        guardAlpha: 0.01,
        horizon: 1,
        predictors: [predictor],
        registry,
        history: offline,
        store: new KvLoopStore(online.kv),
        window: "1m",
        now: () => now,
        budget: 4,
        log: { ...silent, info: (m: string) => decisions.push(m), warn: (m: string) => decisions.push(m) },
      });
      const live = new LivePredictions([predictor], online, predictions, offline, silent, loop);
      // The market goes on, minute by minute: stored, predicted, realised; the loop checks every 10.
      for (const [i, row] of rows.slice(CHANGE).entries()) {
        now = row.window_end;
        await offline.upsert([row]);
        await online.upsert([row]);
        await live.onRows([row]);
        if (i % 10 === 9) {
          await loop.tick();
          // The accelerated clock waits for the Worker, as a real minute would.
          while (loop.busy) await new Promise((r) => setTimeout(r, 20));
          await loop.tick();
        }
      }
      await loop.close();

      const stored = (await predictions.recent("BTC/USD", "1m", END)).reverse() as Prediction[];
      assert.equal(stored.length, END - CHANGE);
      const history = (await registry.promotedFile(name)).history;
      const byShadow = history.filter((h) => h.by === "shadow");
      assert.ok(
        byShadow.length >= 1,
        `a challenger was promoted on live evidence:\n${decisions.join("\n")}`,
      );
      const promotedAt = stored.findIndex((p) => p.model.version === byShadow[0]!.version);
      assert.ok(promotedAt > 0, "the promoted challenger served the predictions after it");

      const mae = (ps: Prediction[], of: (p: Prediction) => number) =>
        ps.reduce((a, p) => a + Math.abs(of(p) - p.realised_close!), 0) / ps.length;
      const naive = (p: Prediction) => p.current_close;
      // The stale champion, judged on its own forecasts after the change: worse than no change.
      const stale = stored.slice(0, promotedAt).filter((p) =>
        p.realised_close !== null && p.shadow?.champion
      );
      const champ = (p: Prediction) => p.shadow!.champion!.predicted_close;
      assert.ok(
        mae(stale, champ) > mae(stale, naive),
        "the first model was worse than naive after the change",
      );
      // What was served meanwhile: naive, labelled so, once the guard saw it.
      assert.ok(stale.some((p) => p.model.name === "naive" && /worse than naive/.test(p.model.reason ?? "")));
      // After the promotion, what was served beats no change.
      const after = stored.slice(promotedAt).filter((p) => p.realised_close !== null);
      assert.ok(after.length >= 200, `${after.length} realised predictions after the promotion`);
      const skill = 1 - mae(after, (p) => p.predicted_close) / mae(after, naive);
      assert.ok(skill > 0.02, `live skill recovered: ${(skill * 100).toFixed(2)}%`);
      // Every challenger was a retraining of the loop: the experiment log says which and why.
      const log = await registry.experiments(name);
      assert.ok(log.some((e) => e.challenger === true && e.version === byShadow[0]!.version));
      assert.equal(stored.at(-1)!.made_at, rows.at(-1)!.window_end);
      assert.equal(stored[0]!.made_at - rows[CHANGE - 1]!.window_end, WINDOW_MS["1m"]);
    } finally {
      await predictor.close();
      online.close();
      offline.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
