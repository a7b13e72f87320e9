/**
 * `deno task demo`: the same system entirely offline. The simulator replays `--file`, or a
 * synthetic market it generates (labelled as synthetic: src/sim/synthetic.ts); its first
 * `--history` is served at once as REST history (the cold start's backfill), the rest arrives
 * live at `--speed`. Candles, features, training and live predictions appear within minutes.
 * The dashboard, /health and the log say which market it is, measure ages on the simulator's
 * clock, and say when the replay has passed its last trade.
 */
import { demoConfig, usage } from "../src/config.ts";
import { tradeToJsonLine } from "../src/domain/trade.ts";
import { isoTime } from "../src/domain/time.ts";
import { TradeBook } from "../src/sim/book.ts";
import { startSim } from "../src/sim/server.ts";
import { syntheticTrades } from "../src/sim/synthetic.ts";
import { tradeFile } from "../src/sources/files/trade_file.ts";
import { CheckpointFile, jobFileName } from "../src/stores/checkpoint_file.ts";
import { claimMarket, replayMarket } from "../src/stores/market_file.ts";
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
  const file = cfg.file ?? `${cfg.dataDir}/synthetic_trades.jsonl`;
  const market = replayMarket(file, cfg.file === undefined);
  // Before anything is written: a data dir of another market is refused untouched.
  await claimMarket(cfg.dataDir, market);
  if (cfg.file === undefined) {
    try {
      await Deno.stat(file);
    } catch {
      // Fixed dates and seed: a second run replays the same market and continues the same series.
      const trades = syntheticTrades({ pairs: cfg.pairs, start: Date.UTC(2024, 0, 1), minutes: cfg.minutes });
      await Deno.writeTextFile(file, trades.map(tradeToJsonLine).join("\n") + "\n");
      log.info(`generated a SYNTHETIC market: ${trades.length} trades of ${cfg.pairs.join(", ")} in ${file}`);
    }
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
      // Ages are on the simulator's clock, but the speed stretches every real pause (at 60x a
      // second is a minute), so staleness is not judged.
      maxFeatureAgeS: 0,
      market,
      now: () => sim.clock.now(),
      replayEnd: sim.replayed.then(() => book.lastTs),
      job: JOB,
    }, signal);
  } finally {
    await sim.close();
  }
  return 0;
});
