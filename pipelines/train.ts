/**
 * `deno task train --pair P --window W --horizon N`: a price model from the offline store,
 * evaluated walk-forward against the naive and SMA baselines, exported to ONNX and registered;
 * promoted only if it beats naive and the promoted model on the same folds. Prints a per-fold
 * table and the decision, or with `--json` the report on stdout.
 */
import { trainConfig } from "../src/config.ts";
import { buildDataset } from "../src/model/dataset.ts";
import type { PriceMetrics } from "../src/model/metrics.ts";
import { Registry } from "../src/registry/registry.ts";
import { trainAndRegister, type TrainReport } from "../src/registry/train_and_register.ts";
import { DuckDbFeatureStore } from "../src/stores/offline_duckdb.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";
import { Progress } from "../src/util/progress.ts";

const pct = (x: number | null) => (x === null ? "-" : `${(x * 100).toFixed(1)}%`);
const money = (x: number) => x.toFixed(x < 10 ? 4 : 2);

function table(r: TrainReport): string {
  const head = [
    "fold",
    "test rows",
    "test from",
    "test to",
    "MAE model",
    "MAE naive",
    "MAE sma",
    "skill",
    "dir. acc.",
  ];
  const row = (
    label: string,
    rows: number,
    from: string,
    to: string,
    m: PriceMetrics,
    n: PriceMetrics,
    s: PriceMetrics,
  ) => [
    label,
    String(rows),
    from.slice(0, 16),
    to.slice(0, 16),
    money(m.mae),
    money(n.mae),
    money(s.mae),
    pct(m.skill),
    pct(m.directional_accuracy),
  ];
  const rows = [
    head,
    ...r.folds.map((f) => row(String(f.fold), f.test_rows, f.test_from, f.test_to, f.model, f.naive, f.sma)),
    row(
      "all",
      r.folds.reduce((a, f) => a + f.test_rows, 0),
      r.folds[0]!.test_from,
      r.folds.at(-1)!.test_to,
      r.model,
      r.naive,
      r.sma,
    ),
  ];
  const widths = head.map((_, c) => Math.max(...rows.map((x) => x[c]!.length)));
  return rows.map((x) =>
    x.map((cell, c) => (c < 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")
  ).join("\n");
}

await runTask("train", async () => {
  const cfg = trainConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const log = logger("train");
  const store = await DuckDbFeatureStore.open(`${cfg.dataDir}/offline.duckdb`, { readOnly: true });
  let report: TrainReport;
  try {
    const ds = await buildDataset(store, {
      pair: cfg.pair,
      window: cfg.window,
      horizon: cfg.horizon,
      otherPairs: cfg.withPairs,
    });
    log.info(
      `${ds.n} ${cfg.pair} ${cfg.window} rows with a target ${cfg.horizon} candle(s) ahead, ${ds.features.length} features` +
        (ds.n ? ` (${new Date(ds.range.from).toISOString()} .. ${new Date(ds.range.to).toISOString()})` : ""),
    );
    const progress = new Progress("search", log);
    const started = performance.now();
    report = await trainAndRegister(ds, {
      choice: cfg.model,
      folds: cfg.folds,
      budget: cfg.budget,
      seed: cfg.seed,
      embargo: cfg.embargo,
      otherPairs: cfg.withPairs,
      registry: new Registry(cfg.modelsDir),
      onStep: (m) => {
        progress.done();
        log.info(m);
      },
      onTrial: (done, total, t) =>
        progress.update({
          fraction: done / total,
          detail: `${done}/${total} settings · best so far ${t.score.toExponential(3)}`,
          rate: done / ((performance.now() - started) / 1000),
        }, done === total),
    });
    progress.done();
  } finally {
    store.close();
  }
  if (cfg.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(table(report));
    console.log(`model: ${report.model.name}`);
    console.log(
      `${report.promoted ? "PROMOTED" : "NOT PROMOTED"} ${report.name} ${report.version}: ${report.reason}`,
    );
  }
  log.info(
    `registered ${cfg.modelsDir}/${report.name}/${report.version} (model.onnx, card.json, predictions.csv)`,
  );
  return 0;
});
