/**
 * `deno task backtest` as a user runs it, on an offline store the test writes (an AR(1) series
 * through the real candle reducer and indicators): the replay of a registered version, stored
 * beside its card and shown by `models` and GET /models; train's own choice without a version; and
 * bad flags.
 */
import { assert, assertEquals } from "../assert.ts";
import { runPipeline } from "../helpers.ts";
import { storeWith, syntheticRows } from "../model_fixtures.ts";
import { MemoryFeatureStore, MemoryPredictionStore } from "../memory_ports.ts";
import { output, printed, withTempDir } from "../task_process.ts";
import type { BacktestReport } from "../../src/model/backtest.ts";
import { Registry } from "../../src/registry/registry.ts";
import { createApp } from "../../src/serve/app.ts";

const decoder = new TextDecoder();
const SERIES = ["--pair", "BTC/USD", "--window", "1m", "--horizon", "1"];
const SETTING = ["--model", "ridge", "--budget", "3", "--seed", "3", "--folds", "4"];

async function task(script: string, dir: string, args: string[]) {
  const { code, stdout, stderr } = await runPipeline(script, [
    ...args,
    "--data-dir",
    dir,
    "--models-dir",
    `${dir}/models`,
  ], dir).output();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

Deno.test("backtest replays a version's out-of-sample predictions, stores the result with it, and /models and models list show it", async () => {
  await withTempDir(async (dir) => {
    await storeWith(dir, syntheticRows(1500, { phi: 0.6 }));
    const trained = await task("train", dir, [...SERIES, ...SETTING, "--json"]);
    assertEquals(trained.code, 0, trained.stderr);

    const free = ["--fee-bps", "0", "--slippage-bps", "0"];
    const run = await task("backtest", dir, [...SERIES, "--version", "v0001", ...free, "--json"]);
    assertEquals(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as BacktestReport;
    assertEquals([report.name, report.version, report.folds.length], ["btc-usd_1m_h1", "v0001", 4]);
    assertEquals([report.costs, report.threshold, report.long_only], [
      { fee_bps: 0, slippage_bps: 0 },
      "auto",
      false,
    ]);
    // One decision per out-of-sample prediction the version was registered with.
    const csv = (await Deno.readTextFile(`${dir}/models/btc-usd_1m_h1/v0001/predictions.csv`)).trim();
    assertEquals(report.folds.reduce((n, f) => n + f.decisions, 0), csv.split("\n").length - 1);
    assertEquals(report.folds[0]!.threshold_bps, 0);
    // Without costs, a model of returns with momentum earns on them, more often right than wrong.
    const m = report.overall.model;
    assert(m.net_return > 0 && m.sharpe! > 0 && m.hit_rate! > 0.5, JSON.stringify(m));
    assert(report.overall.momentum.net_return > 0, JSON.stringify(report.overall.momentum));
    assertEquals(report.overall.buy_and_hold.trades, 1);
    assert(
      run.stderr.includes(`walking v0001 forward over 4 folds, each with the setting it was tested with`),
      run.stderr,
    );

    const storedFile = `${dir}/models/btc-usd_1m_h1/v0001/backtest.json`;
    const stored = await Deno.readTextFile(storedFile);
    assertEquals(JSON.parse(stored), report);

    const listed = await task("models", dir, []);
    assert(/backtest net \(B&H\)/.test(listed.stdout), listed.stdout);
    const sign = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(2)}%`;
    assert(
      listed.stdout.includes(`${sign(m.net_return)} (${sign(report.overall.buy_and_hold.net_return)})`),
      listed.stdout,
    );

    const app = createApp({
      online: new MemoryFeatureStore(),
      predictions: new MemoryPredictionStore(),
      registry: new Registry(`${dir}/models`),
      predictors: [],
    });
    const body = await (await app.request("http://localhost/models")).json();
    const version = body.models[0].versions[0];
    assertEquals(version.backtest.overall, report.overall);
    assertEquals([version.backtest.folds, version.backtest.costs], [4, report.costs]);
    // The card's importance and interval coverage come with it.
    const card = JSON.parse(await Deno.readTextFile(`${dir}/models/${report.name}/v0001/card.json`));
    assertEquals(version.importance.features, card.importance.features.slice(0, 10));
    assertEquals(version.intervals.overall, card.intervals.overall);
    assertEquals(version.vs_naive, card.vs_naive);
    assertEquals(version.vs_drift, card.vs_drift);
    assertEquals(version.overall.drift, card.overall.drift);
    assert(version.vs_drift.n > 0);
    // The whole report, equity curves included, for the backtests page.
    const whole = await (await app.request(`http://localhost/models/${report.name}/v0001/backtest`)).json();
    assertEquals(whole.equity, report.equity);
    assertEquals(whole.equity.model.at(-1), Number((1 + m.net_return).toPrecision(8)));

    // Rows the version never saw: replayed on the folds cut from the rows there are now, with a warning.
    assert(!run.stderr.includes("differ from those"), run.stderr);
    await storeWith(dir, syntheticRows(1600, { phi: 0.6 }));
    const grown = await task("backtest", dir, [...SERIES, "--version", "v0001", "--json"]);
    assertEquals(grown.code, 0, grown.stderr);
    assert(grown.stderr.includes("rows differ from those v0001 was trained on"), grown.stderr);
    assert((JSON.parse(grown.stdout) as BacktestReport).data.rows > report.data.rows);
    // The version's stored backtest stays the one on its own rows.
    assert(
      grown.stderr.includes("not stored with v0001: these are not the rows it was trained on"),
      grown.stderr,
    );
    assertEquals(await Deno.readTextFile(storedFile), stored);
  });
});

Deno.test("backtest without a version replays the setting train chooses and stores nothing; with it, the same figures", async () => {
  await withTempDir(async (dir) => {
    await storeWith(dir, syntheticRows(1200, { phi: 0.6 }));
    assertEquals((await task("train", dir, [...SERIES, ...SETTING])).code, 0);
    const costs = ["--fee-bps", "10", "--slippage-bps", "1", "--threshold", "2", "--long-only"];
    const chosen = await task("backtest", dir, [...SERIES, ...SETTING, ...costs, "--json"]);
    assertEquals(chosen.code, 0, chosen.stderr);
    const own = JSON.parse(chosen.stdout) as BacktestReport;
    assertEquals([own.version, own.threshold, own.long_only], [null, 2, true]);
    assertEquals(own.folds.map((f) => f.threshold_bps), [2, 2, 2, 2]);
    const stored = () => [...Deno.readDirSync(`${dir}/models/btc-usd_1m_h1/v0001`)].map((e) => e.name);
    assertEquals(stored().includes("backtest.json"), false);
    const replayed = await task("backtest", dir, [...SERIES, "--version", "v0001", ...costs, "--json"]);
    const version = JSON.parse(replayed.stdout) as BacktestReport;
    assertEquals([own.model, own.overall, own.folds], [version.model, version.overall, version.folds]);
    assert(stored().includes("backtest.json"));

    const table = await task("backtest", dir, [...SERIES, "--version", "v0001", "--with-pairs", "ETH/USD"]);
    assertEquals(table.code, 0, table.stderr);
    assert(
      table.stderr.includes("--with-pairs is for a backtest without --version: v0001 reads no other pair"),
    );
    assert(/^fold +from +to +θ bp +rule +net +Sharpe/m.test(table.stdout), table.stdout);
    assertEquals(table.stdout.split("\n").filter((l) => /^\s+buy & hold/.test(l)).length, 5);

    // A card from before settings were chosen per fold: walked with its one setting, and said so.
    const cardFile = `${dir}/models/btc-usd_1m_h1/v0001/card.json`;
    const card = JSON.parse(await Deno.readTextFile(cardFile));
    for (const f of card.folds) delete f.setting;
    await Deno.writeTextFile(cardFile, JSON.stringify(card));
    const older = await task("backtest", dir, [...SERIES, "--version", "v0001", ...costs, "--json"]);
    assertEquals(older.code, 0, older.stderr);
    assert(older.stderr.includes("has no setting per fold for 4 folds"), older.stderr);
    assert(older.stderr.includes("so the figures lean optimistic"), older.stderr);
  });
});

Deno.test("backtest: a bad flag exits 2 with one line naming it; an unknown version exits 1", async () => {
  await withTempDir(async (dir) => {
    for (
      const [args, says] of [
        [["--threshold", "x"], "error: --threshold: 'x' is not auto or a number of basis points >= 0"],
        [["--threshold", "-3"], "error: --threshold: '-3' is not auto or a number of basis points >= 0"],
        [["--fee-bps", "-1"], "error: --fee-bps: '-1' is not a number >= 0"],
        [["--slippage-bps", "10000"], "error: --slippage-bps: '10000' must be below 10000"],
        [["--version", "3"], "error: --version: '3' is not a version such as v0003"],
        [["--folds", "0"], "error: --folds: '0' is not an integer >= 1"],
        [["--long-only=yes"], "error: --long-only takes no value"],
      ] as const
    ) {
      const out = await output(runPipeline("backtest", [...SERIES, ...args], dir));
      assertEquals(out.code, 2, out.stderr);
      const lines = printed(out.stderr);
      assertEquals(lines.length, 1, out.stderr);
      assert(lines[0]!.startsWith(says), `${lines[0]} vs ${says}`);
    }
    const missing = await output(runPipeline("backtest", ["--window", "1m"], dir));
    assertEquals([missing.code, printed(missing.stderr)], [2, ["error: --pair is required"]]);

    await storeWith(dir, syntheticRows(300, { phi: 0.6 }));
    const unknown = await output(
      runPipeline("backtest", [...SERIES, "--version", "v0009", "--models-dir", `${dir}/models`], dir),
    );
    assertEquals([unknown.code, printed(unknown.stderr)], [2, [
      `error: model btc-usd_1m_h1 (--pair, --window, --horizon): no such model in ${dir}/models (it holds ` +
      "none yet: run deno task train)",
    ]]);
  });
});
