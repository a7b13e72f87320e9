/**
 * `deno task demo`: the same system entirely offline. The simulator replays `--file`, or a
 * synthetic market it generates (labelled as synthetic: src/sim/synthetic.ts); its first
 * `--history` is served at once as REST history (the cold start's backfill), the rest arrives
 * live at `--speed`. Candles, features, training and live predictions appear within minutes.
 * The dashboard, /health and the log say which market it is, measure ages on the simulator's
 * clock, and say when the replay has passed its last trade.
 */
import { checkOutputDir, demoConfig } from "../src/config.ts";
import { startSim } from "../src/sim/server.ts";
import {
  checkDrill,
  drillAt,
  nothingLiveWarning,
  openDemoMarket,
  replayLine,
  replayStart,
} from "../src/system/demo_market.ts";
import { promoteBiasedModel } from "../src/registry/biased_model.ts";
import { modelName } from "../src/domain/model_card.ts";
import { isoTime } from "../src/domain/time.ts";
import { runSystem } from "../src/system/system.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

const JOB = "demo";
/** How long a candle idle past its window's end waits for a late trade before it closes. */
const GRACE_MS = 5000;

await runTask("demo", async ({ signal }) => {
  const cfg = demoConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const log = logger("demo");
  // Before the market is generated: the system checks it too, but only after that.
  await checkOutputDir("models-dir", cfg.modelsDir);
  const { market, book } = await openDemoMarket(cfg, log);
  checkDrill(book, cfg.historyMs, cfg.badModelAtMs);
  const startAt = await replayStart(cfg.dataDir, JOB, book, cfg.historyMs);
  // The market's clock stops once the last trade's candle has closed, so the replay's final state
  // stays put: a clock running on would close empty candles, retrain on them and expire the models.
  const stopAt = Math.max(startAt, Math.ceil((book.lastTs + 1) / 60_000) * 60_000 + GRACE_MS + 1000);
  const sim = await startSim({ book, speed: cfg.speed, port: 0, startAt, stopAt, log: logger("sim") });
  log.info(replayLine(book, startAt, cfg.speed));
  const nothingLive = nothingLiveWarning(book, cfg.historyMs, startAt);
  if (nothingLive) log.warn(nothingLive);
  try {
    await runSystem({
      pairs: book.pairs,
      windows: ["1m"],
      graceMs: GRACE_MS,
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
      loop: cfg,
      onLive: ({ registry, predictors }) => {
        if (cfg.badModelAtMs === undefined) return;
        // The drill: a biased model forced on the first pair, for the guard to demote.
        const at = drillAt(book, cfg.historyMs, startAt, cfg.badModelAtMs);
        if (at === undefined) {
          log.info("drill: not repeated; this run resumes past --bad-model-at, where an earlier run held it");
          return;
        }
        const timer = setInterval(async () => {
          if (sim.clock.now() < at || !predictors[0]?.current) return;
          clearInterval(timer);
          const name = modelName(book.pairs[0]!, "1m", cfg.horizon);
          try {
            // Stamped on the wall clock, as trained versions are; the log line gives the market time.
            const version = await promoteBiasedModel(registry, name, 0.002, new Date().toISOString());
            log.warn(
              `drill: promoted ${name} ${version}, a deliberately biased model (--bad-model-at), at ` +
                isoTime(sim.clock.now()),
            );
          } catch (e) {
            log.error(`drill: cannot promote a biased model: ${(e as Error).message}`);
          }
        }, 1000);
        signal.addEventListener("abort", () => clearInterval(timer), { once: true });
      },
    }, signal);
  } finally {
    await sim.close();
  }
  return 0;
});
