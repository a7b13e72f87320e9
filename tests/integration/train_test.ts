/** `deno task train` and `deno task models` as a user runs them, on feature rows the tests write. */
import { assert, assertAlmostEquals, assertEquals, assertRejects } from "../assert.ts";
import { runPipeline } from "../helpers.ts";
import { storeWith, syntheticRows } from "../model_fixtures.ts";
import { dieboldMariano } from "../../src/model/diebold_mariano.ts";
import { featureNames } from "../../src/model/features.ts";
import { checkParity, ParityError, ridgeOnnx } from "../../src/registry/onnx_export.ts";
import { fitRidge, predictRidge } from "../../src/model/ridge.ts";
import { openSession } from "../../src/onnx/runtime.ts";
import { trainAndRegister, type TrainReport } from "../../src/registry/train_and_register.ts";
import { buildDataset } from "../../src/model/dataset.ts";
import { ManualClock, MemoryFeatureStore, MemoryRegistry } from "../memory_ports.ts";

const decoder = new TextDecoder();

async function train(dir: string, extra: string[] = []) {
  const { code, stdout, stderr } = await runPipeline("train", [
    "--pair",
    "BTC/USD",
    "--window",
    "1m",
    "--horizon",
    "1",
    "--folds",
    "4",
    "--budget",
    "6",
    "--seed",
    "3",
    "--json",
    "--data-dir",
    dir,
    "--models-dir",
    `${dir}/models`,
    ...extra,
  ], dir).output();
  return {
    code,
    report: code === 0 ? JSON.parse(decoder.decode(stdout)) as TrainReport : null,
    log: decoder.decode(stderr),
  };
}

function recompute(rows: { close: number; target: number; pred: number }[]) {
  let ae = 0, se = 0, naive = 0, moves = 0, right = 0;
  for (const r of rows) {
    const err = r.close * Math.exp(r.pred) - r.target;
    ae += Math.abs(err);
    se += err * err;
    naive += Math.abs(r.close - r.target);
    const actual = Math.log(r.target / r.close);
    if (actual !== 0) {
      moves++;
      if (Math.sign(actual) === Math.sign(r.pred)) right++;
    }
  }
  const n = rows.length;
  return {
    mae: ae / n,
    rmse: Math.sqrt(se / n),
    naive: naive / n,
    skill: 1 - ae / naive,
    dir: right / moves,
  };
}

Deno.test("train: a predictable series is learned, promoted, and its report recomputes from its predictions", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await storeWith(dir, syntheticRows(3000, { phi: 0.6 }));
    const { code, report, log } = await train(dir);
    assertEquals(code, 0, log);
    assert(report!.promoted, report!.reason);
    assertEquals([report!.name, report!.version], ["btc-usd_1m_h1", "v0001"]);
    assertEquals(report!.features, featureNames());
    assert(report!.model.skill > 0.05, `skill ${report!.model.skill}`);

    const base = `${dir}/models/btc-usd_1m_h1/v0001`;
    const lines = (await Deno.readTextFile(`${base}/predictions.csv`)).trim().split("\n").slice(1);
    const rows = lines.map((l) => {
      const [t, close, target, pred] = l.split(",").map(Number);
      return { t: t!, close: close!, target: target!, pred: pred! };
    });
    assertEquals(rows.length, report!.folds.reduce((a, f) => a + f.test_rows, 0));
    const all = recompute(rows);
    assertAlmostEquals(report!.model.mae, all.mae, 1e-9);
    assertAlmostEquals(report!.model.rmse, all.rmse, 1e-9);
    assertAlmostEquals(report!.naive.mae, all.naive, 1e-9);
    assertAlmostEquals(report!.model.skill, all.skill, 1e-9);
    assertAlmostEquals(report!.model.directional_accuracy!, all.dir, 1e-12);
    // Whether the lead over naive could be luck, from the same predictions, row by row.
    const dm = dieboldMariano(
      rows.map((r) => Math.abs(r.close * Math.exp(r.pred) - r.target)),
      rows.map((r) => Math.abs(r.close - r.target)),
      1,
    );
    assertEquals(report!.vs_naive.n, rows.length);
    assertAlmostEquals(report!.vs_naive.mae_diff, dm.meanDiff, 1e-9);
    assertAlmostEquals(report!.vs_naive.p_value, dm.pBetter, 1e-9);
    assert(report!.vs_naive.p_value < 0.001, JSON.stringify(report!.vs_naive));
    let at = 0;
    for (const f of report!.folds) {
      const fold = recompute(rows.slice(at, at + f.test_rows));
      at += f.test_rows;
      assertAlmostEquals(f.model.mae, fold.mae, 1e-9);
      assertAlmostEquals(f.naive.mae, fold.naive, 1e-9);
      assertEquals(new Date(rows[at - 1]!.t).toISOString(), f.test_to);
    }

    const card = JSON.parse(await Deno.readTextFile(`${base}/card.json`));
    assertEquals(card.decision.promoted, true);
    assertEquals(card.data.rows, report!.rows);
    assertEquals(card.vs_naive, report!.vs_naive);
    // The drift baseline, per fold and over all, and the model's test against it, as the card keeps them.
    assertEquals(card.overall.drift, report!.drift);
    assertEquals(card.vs_drift, report!.vs_drift);
    assertEquals(card.folds.map((f: { drift: unknown }) => f.drift), report!.folds.map((f) => f.drift));
    assertEquals(report!.vs_drift.n, rows.length);
    assert(/^[0-9a-f]{64}$/.test(card.data.hash));
    assert(card.onnx.parity_max_rel_diff <= 1e-5);
    // The card carries the served interval quantiles, and the report their coverage on every fold.
    // The card keeps the calibration scores serving goes on from; the report only their count.
    const { scores, times, ...served } = card.intervals.model;
    assertEquals({ ...card.intervals, model: served }, report!.intervals);
    assertEquals([scores!.length, times!.length], [rows.length, rows.length]);
    assertEquals(card.intervals.model.calibration_rows, rows.length);
    assert(
      card.intervals.model.q["0.8"] < card.intervals.model.q["0.95"],
      JSON.stringify(card.intervals.model),
    );
    for (const l of report!.intervals.overall) {
      assert(Math.abs(l.coverage - l.level) < 0.05, JSON.stringify(l));
    }
    const session = await openSession(await Deno.readFile(`${base}/model.onnx`), "model.onnx");
    assertEquals([session.inputNames, session.outputNames], [["features"], ["log_return"]]);
    await session.release();

    // Same data, same seed: the same numbers and bytes; equal to the promoted model, so refused.
    const again = await train(dir);
    assertEquals(again.code, 0, again.log);
    assertEquals(again.report!.model.mae, report!.model.mae);
    assertEquals(again.report!.promoted, false);
    assert(again.report!.reason.includes("not below the promoted v0001"), again.report!.reason);
    assertEquals(
      await Deno.readFile(`${dir}/models/btc-usd_1m_h1/v0002/model.onnx`),
      await Deno.readFile(`${base}/model.onnx`),
    );
    const log2 = (await Deno.readTextFile(`${dir}/models/btc-usd_1m_h1/experiments.jsonl`)).trim().split(
      "\n",
    );
    assertEquals(log2.map((l) => JSON.parse(l).promoted), [true, false]);

    // A human can promote the rejected version and roll back.
    const run = (args: string[]) =>
      runPipeline("models", [...args, "--models-dir", `${dir}/models`], dir).output();
    const listed = decoder.decode((await run(["list"])).stdout);
    assert(/\*\s+v0001/.test(listed) && listed.includes("rejected: MAE"), listed);
    assertEquals((await run(["promote", "--name", "btc-usd_1m_h1", "--version", "v0002"])).code, 0);
    assert(/\*\s+v0002/.test(decoder.decode((await run([])).stdout)));
    assert(
      decoder.decode((await run(["rollback", "--name", "btc-usd_1m_h1"])).stdout).includes(
        "rolled back to v0001",
      ),
    );
    const noMore = await run(["rollback", "--name", "btc-usd_1m_h1"]);
    assertEquals(noMore.code, 1);
    assert(decoder.decode(noMore.stderr).includes("no version promoted before v0001"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train --with-pairs a pair the store has no rows of exits 2 naming it, and registers nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await storeWith(dir, [...syntheticRows(400), ...syntheticRows(400, { pair: "ETH/USD", seed: 2 })]);
    const { code, log } = await train(dir, ["--with-pairs", "ETH/USD,SOL/USD"]);
    assertEquals(code, 2, log);
    assert(
      log.includes("--with-pairs SOL/USD: the offline store has no 1m rows of it; it holds 1m rows of"),
      log,
    );
    assertEquals([...Deno.readDirSync(dir)].some((e) => e.name === "models"), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train of a series the store does not hold exits 2 naming what it holds, and registers nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await storeWith(dir, syntheticRows(400));
    const runs = [
      ["--pair", "DOGE/USD", "--window", "1m"],
      ["--pair", "BTC/USD", "--window", "5m"],
    ];
    for (const args of runs) {
      const out = await runPipeline(
        "train",
        [...args, "--data-dir", dir, "--models-dir", `${dir}/models`],
        dir,
      )
        .output();
      const log = decoder.decode(out.stderr);
      assertEquals(out.code, 2, log);
      assert(log.includes(`${args.join(" ")}: the offline store has no rows of that series`), log);
      assert(log.includes("it holds BTC/USD 1m (400 rows)"), log);
    }
    assertEquals([...Deno.readDirSync(dir)].some((e) => e.name === "models"), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train: a feature computed from the future fails the run loudly, naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rows = syntheticRows(1500, { phi: 0 });
    // Plant the leak: each row's 1-candle return replaced by the next candle's.
    for (let i = 0; i + 1 < rows.length; i++) {
      rows[i]!.log_return_1 = Math.log(rows[i + 1]!.close / rows[i]!.close);
    }
    await storeWith(dir, rows);
    const { code, log } = await train(dir);
    assertEquals(code, 1, log);
    assert(log.includes("feature log_return_1 correlates") && log.includes("leakage"), log);
    assertEquals([...Deno.readDirSync(dir)].some((e) => e.name === "models"), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ONNX export: a graph that does not reproduce the model is refused", async () => {
  const F = 3, n = 200;
  const X = Float64Array.from({ length: n * F }, (_, i) => Math.sin(i));
  const y = Float64Array.from({ length: n }, (_, i) => 1e-3 * X[i * F]! - 2e-4 * X[i * F + 1]!);
  const model = fitRidge(X, y, n, F, 1e-6);
  const expected = predictRidge(model, X, n, F);
  await checkParity(ridgeOnnx(model, "ok", {}), X, n, F, expected);
  const wrong = { ...model, weights: model.weights.map((w, i) => (i === 0 ? w * 1.001 : w)) };
  await assertRejects(
    () => checkParity(ridgeOnnx(wrong, "off", {}), X, n, F, expected),
    ParityError,
    "disagrees",
  );
  await assertRejects(
    () => checkParity(new Uint8Array([1, 2, 3]), X, n, F, expected),
    Error,
    "not a valid ONNX model",
  );
});

Deno.test("train: a run on in-memory ports dates its card by the clock it is given and writes only through the registry", async () => {
  const history = new MemoryFeatureStore();
  await history.upsert(syntheticRows(1200, { phi: 0.6 }));
  const clock = new ManualClock(Date.UTC(2025, 5, 1, 12));
  const registry = new MemoryRegistry(clock);
  const ds = await buildDataset(history, { pair: "BTC/USD", window: "1m", horizon: 1 });
  const report = await trainAndRegister(ds, {
    choice: "ridge",
    folds: 3,
    budget: 2,
    seed: 1,
    registry,
    clock,
  });
  assertEquals([report.version, report.promoted], ["v0001", true], report.reason);
  const card = await registry.card(report.name, "v0001");
  assertEquals(card.created_at, "2025-06-01T12:00:00.000Z");
  assertEquals((await registry.promotedFile(report.name)).history.map((p) => p.at), [card.created_at]);
  const csv = registry.files.get(`${report.name}/v0001/predictions.csv`)!.trim().split("\n");
  assertEquals(csv[0], "window_start,close,target_close,predicted_log_return");
  assertEquals(csv.length - 1, report.folds.reduce((n, f) => n + f.test_rows, 0));
  assertEquals((await registry.experiments(report.name)).map((e) => e.at), [card.created_at]);
});

Deno.test("train: a Worker still starts when the training module is first imported after an ONNX model ran", async () => {
  const script = new URL("../fixtures/scripts/train_after_onnx.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", new URL("../../deno.json", import.meta.url).pathname, script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stderr);
  assertEquals(new TextDecoder().decode(out.stdout).trim(), "v0001");
});
