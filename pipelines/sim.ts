/** `deno task sim`: the local Kraken-compatible exchange replaying a trade file. */
import { simConfig } from "../src/config.ts";
import { isoTime } from "../src/domain/time.ts";
import { TradeBook } from "../src/sim/book.ts";
import { startSim } from "../src/sim/server.ts";
import { tradeFile } from "../src/sources/files/trade_file.ts";
import { warnKrakenTradesPair } from "../src/jobs/kraken_trades_pair.ts";
import { replayFileFormat } from "../src/jobs/replay_file_format.ts";
import { runTask } from "../src/util/cli.ts";
import { logger, setLogLevel } from "../src/util/log.ts";

await runTask("sim", async ({ signal }) => {
  const cfg = simConfig(Deno.args);
  setLogLevel(cfg.logLevel);
  const log = logger("sim");
  const format = await replayFileFormat(cfg.file, cfg.format);
  warnKrakenTradesPair(format, cfg.pairs, log);
  const { stream } = await tradeFile(cfg.file, { format, pair: cfg.pair, log });
  const book = new TradeBook(await Array.fromAsync(stream));
  const sim = await startSim({
    book,
    speed: cfg.speed,
    port: cfg.port,
    hostname: cfg.host,
    dropEverySec: cfg.dropEverySec,
    malformedEvery: cfg.malformedEvery,
    throttleEvery: cfg.throttleEvery,
    stallEverySec: cfg.stallEverySec,
    log,
  });
  const span = (book.lastTs - book.firstTs) / 1000 / cfg.speed;
  log.info(
    `replaying ${book.all.length} trades of ${book.pairs.join(", ")} from ${isoTime(book.firstTs)} to ` +
      `${isoTime(book.lastTs)} at ${cfg.speed}x (${span.toFixed(1)} s)`,
  );
  log.info(`WS ${sim.wsUrl}  REST ${sim.restUrl}/0/public/{Trades,OHLC,AssetPairs,Time}`);
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  await sim.close();
  const s = sim.stats;
  log.info(
    `stopped: ${s.connections} connections, ${s.tradesSent} trades sent, ${s.drops} drops, ${s.stalls} stalls, ` +
      `${s.malformed} malformed frames, ${s.rest.calls} REST calls (${s.rest.throttled} throttled)`,
  );
});
