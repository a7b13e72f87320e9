/**
 * The model loop with real models, stores and registry: a forced bad model falls back to naive on
 * live evidence (and /predict, /metrics and the experiment log say so), a retrained challenger runs
 * in shadow, survives a restart in the middle of its shadow period and is promoted on live evidence.
 */
import assert from "node:assert/strict";
import { modelName } from "../../src/domain/model_card.ts";
import type { Prediction } from "../../src/domain/prediction.ts";
import { promoteBiasedModel } from "../../src/registry/biased_model.ts";
import { OnnxPredictor } from "../../src/registry/predictor.ts";
import type { TrainReport } from "../../src/registry/train_and_register.ts";
import { createApp } from "../../src/serve/app.ts";
import { LivePredictions } from "../../src/serve/live_predictions.ts";
import { KvLoopStore } from "../../src/stores/loop_store.ts";
import { ModelLoop, type ModelLoopOptions } from "../../src/system/model_loop.ts";
import { silent } from "../../src/util/log.ts";
import { syntheticRows } from "../model_fixtures.ts";
import { seed, type Seeded } from "../serve_fixtures.ts";

const NAME = modelName("BTC/USD", "1m", 1);
const HOUR = 3_600_000;

async function setup(): Promise<Seeded & { predictor: OnnxPredictor; trainedTo: number }> {
  const dir = await Deno.makeTempDir({ prefix: "model_loop_" });
  const seeded = await seed(dir);
  const predictor = new OnnxPredictor(seeded.registry, "BTC/USD", "1m", 1);
  assert.equal(await predictor.refresh(), "swapped");
  return { ...seeded, predictor, trainedTo: Date.parse(predictor.current!.card.data.to) };
}

/** The same market after the seeded 1,200 minutes, minute by minute. */
const LATER = syntheticRows(1400, { phi: 0.6 }).slice(1200);

/** Rows arriving live: each stored, then predicted from (realising the one before). */
async function feed(s: Seeded, live: LivePredictions, from: number, to: number): Promise<void> {
  for (const row of LATER.slice(from, to)) {
    await s.online.upsert([row]);
    await live.onRows([row]);
  }
}

async function teardown(s: Seeded & { predictor: OnnxPredictor }): Promise<void> {
  await s.predictor.close();
  s.online.close();
  await Deno.remove(s.dir, { recursive: true });
}

function loopOptions(
  s: Seeded & { predictor: OnnxPredictor },
  o: Partial<ModelLoopOptions> & Pick<ModelLoopOptions, "now">,
): ModelLoopOptions {
  return {
    shadow: 40,
    guard: 40,
    retrainEveryMs: 1000 * HOUR,
    maxAgeMs: 1000 * HOUR,
    alpha: 0.05,
    guardAlpha: 0.01,
    horizon: 1,
    predictors: [s.predictor],
    registry: s.registry,
    history: { trainingRows: () => Promise.reject(new Error("not in this test")) },
    store: new KvLoopStore(s.online.kv),
    window: "1m",
    trainWindowMs: 0,
    budget: 1,
    log: silent,
    ...o,
  };
}

Deno.test("a forced bad model falls back to naive on live evidence, labelled with the reason everywhere", async () => {
  const s = await setup();
  try {
    const version = await promoteBiasedModel(s.registry, NAME, 0.002, new Date(s.trainedTo).toISOString());
    await s.predictor.refresh();
    assert.equal(s.predictor.current?.version, version);
    const warnings: string[] = [];
    const warn = { ...silent, warn: (m: string) => void warnings.push(m) };
    const loop = await ModelLoop.open(loopOptions(s, { now: () => s.trainedTo, log: warn }));
    const live = new LivePredictions([s.predictor], s.online, s.predictions, null, silent, loop);
    // Demoted within --guard realised predictions: the 40th realises with the 41st row.
    await feed(s, live, 0, 40);
    assert.equal(loop.status("BTC/USD", "1m")!.fallback, null, "39 realised: not judged yet");
    await feed(s, live, 40, 41);
    assert.ok(loop.status("BTC/USD", "1m")!.fallback, "demoted at the 40th realised prediction");
    await feed(s, live, 41, 100);
    await loop.tick();

    const status = loop.status("BTC/USD", "1m")!;
    assert.ok(status.fallback, "the series is on fallback");
    assert.match(
      status.fallback.reason,
      /champion significantly worse than naive: live MAE .* over 40 rows, DM p=/,
    );
    assert.ok(status.live_skill! < 0);
    assert.match(status.last_decision!.text, /falls back to naive/);
    // The log says both ways back: the champion recovering, or a challenger.
    assert.deepEqual(warnings, [
      "BTC/USD: serving naive (labelled naive) until the champion's live MAE is back at or below " +
      "naive's, or a challenger earns promotion",
    ]);

    // What was served: naive with the reason, the champion still judged in shadow.
    const [newest] = await s.predictions.recent("BTC/USD", "1m", 1) as Prediction[];
    assert.equal(newest!.model.name, "naive");
    assert.equal(newest!.model.version, null);
    assert.match(newest!.model.reason!, /significantly worse than naive/);
    assert.equal(newest!.predicted_close, newest!.current_close);
    assert.equal(newest!.shadow?.champion?.version, version);
    assert.notEqual(newest!.shadow?.champion?.predicted_close, newest!.current_close);

    const app = createApp({
      online: s.online,
      predictions: s.predictions,
      registry: s.registry,
      predictors: [s.predictor],
      maxFeatureAgeS: 0,
      loop: (pair, w) => loop.status(pair, w),
    });
    const body = await (await app.request("http://x/predict?pair=BTC/USD")).json();
    assert.deepEqual(body.model.name, "naive");
    assert.match(body.model.reason, /significantly worse than naive/);
    assert.equal(body.predicted_close, body.current_close);
    const metrics = await (await app.request("http://x/metrics")).text();
    assert.match(metrics, /^model_fallback\{pair="BTC\/USD",window="1m"\} 1$/m);
    assert.match(metrics, /^live_skill\{pair="BTC\/USD",window="1m"\} -[0-9.e-]+$/m);
    assert.match(metrics, /^live_skill_rows\{pair="BTC\/USD",window="1m"\} 40$/m);
    const health = await (await app.request("http://x/health")).json();
    assert.match(health.series[0].loop.fallback.reason, /worse than naive/);

    const log = await s.registry.experiments(NAME);
    const event = log.find((e) => e.event === "fallback");
    assert.ok(event, JSON.stringify(log));
    assert.equal(event.version, version);
    await loop.close();
  } finally {
    await teardown(s);
  }
});

Deno.test("a retrained challenger shadows the champion across a restart and is promoted on live evidence", async () => {
  const s = await setup();
  try {
    const good = s.predictor.current!.version;
    const bad = await promoteBiasedModel(s.registry, NAME, 0.0015, new Date(s.trainedTo).toISOString());
    await s.predictor.refresh();
    let trainings = 0;
    // The retraining stands in for the Worker's: it "registers" the good version as the challenger.
    const train = () => {
      trainings++;
      return Promise.resolve(
        { passed: true, promoted: false, version: good, reason: "beats naive" } as TrainReport,
      );
    };
    const now = () => s.trainedTo + 7 * HOUR;
    const opts = loopOptions(s, { now, retrainEveryMs: 6 * HOUR, guard: 1000, train });
    let loop = await ModelLoop.open(opts);
    await loop.tick();
    while (loop.busy) await new Promise((r) => setTimeout(r, 10));
    await loop.tick();
    assert.equal(trainings, 1, "retrained once when --retrain-every had passed");
    assert.equal(loop.status("BTC/USD", "1m")!.challenger?.version, good);

    let live = new LivePredictions([s.predictor], s.online, s.predictions, null, silent, loop);
    await feed(s, live, 0, 21);
    assert.deepEqual(loop.status("BTC/USD", "1m")!.challenger, { version: good, realised: 20, needed: 40 });
    assert.equal(s.predictor.current?.version, bad, "not promoted before its shadow period ends");
    await loop.close();

    // A restart in the middle of the shadow period carries on from the stored state.
    loop = await ModelLoop.open(opts);
    assert.deepEqual(loop.status("BTC/USD", "1m")!.challenger, { version: good, realised: 20, needed: 40 });
    live = new LivePredictions([s.predictor], s.online, s.predictions, null, silent, loop);
    await feed(s, live, 21, 100);
    await loop.tick();

    assert.equal(trainings, 1, "no retraining while the challenger was in shadow");
    const promoted = await s.registry.promotedFile(NAME);
    assert.equal(promoted.current, good);
    assert.equal(promoted.history.at(-1)!.by, "shadow");
    assert.match(promoted.history.at(-1)!.reason, /beats the champion live: live MAE .* on 40 rows, DM p=/);
    assert.equal(s.predictor.current?.version, good, "the predictor serves the promoted challenger");
    const status = loop.status("BTC/USD", "1m")!;
    assert.equal(status.challenger, null);
    assert.match(status.last_decision!.text, new RegExp(`challenger ${good} promoted`));
    const decision = JSON.parse(
      await Deno.readTextFile(`${s.dir}/models/${NAME}/${good}/live_decision.json`),
    );
    assert.equal(decision.decision, "promote");
    assert.ok(decision.vs_champion.pBetter < 0.05);
    assert.ok(decision.vs_naive.meanDiff < 0);
    const log = await s.registry.experiments(NAME);
    assert.ok(log.some((e) => e.event === "promote" && e.version === good));
    const app = createApp({
      online: s.online,
      predictions: s.predictions,
      registry: s.registry,
      predictors: [s.predictor],
      loop: (pair, w) => loop.status(pair, w),
    });
    const { models } = await (await app.request("http://x/models")).json();
    assert.equal(models[0].promoted, good);
    assert.match(models[0].loop.last_decision.text, /promoted: beats the champion live/);
    const listed = models[0].versions.find((v: { version: string }) => v.version === good);
    assert.equal(listed.live_decision.decision, "promote");
    await loop.close();
  } finally {
    await teardown(s);
  }
});
