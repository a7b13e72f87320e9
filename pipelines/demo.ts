/**
 * `deno task demo`: the same system entirely offline. The simulator replays `--file`, or a
 * synthetic market it generates (labelled as synthetic: src/sim/synthetic.ts); its first
 * `--history` is served at once as REST history (the cold start's backfill), the rest arrives
 * live at `--speed`. Candles, features, training and live predictions appear within minutes.
 */
import { demoConfig, usage } from "../src/config.ts";
import { tradeToJsonLine } from "../src/domain/trade.ts";
import { isoTime } from "../src/domain/time.ts";
import { TradeBook } from "../src/sim/book.ts";
import { startSim } from "../src/sim/server.ts";
import { syntheticTrades } from "../src/sim/synthetic.ts";
import { tradeFile } from "../src/sources/files/trade_file.ts";
import { CheckpointFile, jobFileName } from "../src/stores/checkpoint_file.ts";
import { runSystem } from "../src/system/system.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

const JOB = "demo";

await runTask("demo", async ({ signal }) => {
  const cfg = demoConfig(Deno.args);
  if (cfg.help) {
    console.log(usage("demo"));
    return 0;
  }
  setLogLevel(cfg.logLevel);
  const log = logger("demo");
  await Deno.mkdir(cfg.dataDir, { recursive: true });
  let file = cfg.file;
  let source: string;
  if (file === undefined) {
    file = `${cfg.dataDir}/synthetic_trades.jsonl`;
    try {
      await Deno.stat(file);
    } catch {
      // Fixed dates and seed: a second run replays the same market and continues the same series.
      const trades = syntheticTrades({ pairs: cfg.pairs, start: Date.UTC(2024, 0, 1), minutes: cfg.minutes });
      await Deno.writeTextFile(file, trades.map(tradeToJsonLine).join("\n") + "\n");
      log.info(`generated a SYNTHETIC market: ${trades.length} trades of ${cfg.pairs.join(", ")} in ${file}`);
    }
    source = `the simulator replaying a SYNTHETIC market (${file})`;
  } else {
    source = `the simulator replaying ${file}`;
  }
  const { stream } = await tradeFile(file, { format: cfg.format, pair: cfg.pairs[0], log });
  const book = new TradeBook(await Array.fromAsync(stream));
  // A warm start replays on from where the last run stopped (the simulator's port changes, so the
  // checkpoint has a fixed name).
  const saved = await new CheckpointFile(`${cfg.dataDir}/checkpoints/${jobFileName(JOB)}.json`).load();
  const resumeAt = Math.min(...Object.values(saved?.pairs ?? {}).map((p) => p.ts));
  const startAt = Math.min(
    book.lastTs,
    Math.max(book.firstTs + cfg.historyMs, Number.isFinite(resumeAt) ? resumeAt : 0),
  );
  const sim = await startSim({ book, speed: cfg.speed, port: 0, startAt, log: logger("sim") });
  log.info(
    `${book.all.length} trades ${isoTime(book.firstTs)} .. ${isoTime(book.lastTs)}; history until ${
      isoTime(startAt)
    }, ` +
      `then live at ${cfg.speed}x (${
        ((book.lastTs - startAt) / 1000 / cfg.speed / 60).toFixed(0)
      } min of replay)`,
  );
  try {
    await runSystem({
      pairs: book.pairs,
      windows: ["1m"],
      graceMs: 5000,
      horizon: cfg.horizon,
      port: cfg.port,
      host: "127.0.0.1",
      dataDir: cfg.dataDir,
      modelsDir: cfg.modelsDir,
      wsUrl: sim.wsUrl,
      restUrl: sim.restUrl,
      restRate: 50,
      wsTimeoutMs: 10_000,
      historyMs: cfg.historyMs,
      from: book.firstTs,
      minRowsToTrain: cfg.minRows,
      trainBudget: cfg.trainBudget,
      // Replayed time: the features are as fresh as the replay, whatever their dates.
      maxFeatureAgeS: 0,
      source,
      job: JOB,
    }, signal);
  } finally {
    await sim.close();
  }
  return 0;
});
