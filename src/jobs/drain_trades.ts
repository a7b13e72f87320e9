/**
 * A bounded trade stream (REST history, a trade file) through the feature pipeline into both
 * stores; or, with `--bus kafka`, onto the bus with an end marker per pair, waiting for the
 * consumer stages when they run in this process.
 */
import type { BusConfig } from "../config.ts";
import type { Window } from "../domain/candle.ts";
import type { Trade } from "../domain/trade.ts";
import { runOnBus } from "../bus/bus.ts";
import { candles } from "../stages/candles.ts";
import { cut, type CutOptions } from "../stages/cut.ts";
import { dedupe } from "../stages/dedupe.ts";
import { indicators } from "../stages/indicators.ts";
import { persist, type PersistOptions } from "../stages/persist.ts";
import { openFeatureStores } from "../stores/feature_stores.ts";
import type { FeatureState } from "../transforms/features.ts";
import { logger } from "../util/log.ts";

export interface DrainOptions {
  /** Where candles and indicators start (a checkpoint's, or new). */
  features: FeatureState;
  /** The last trade id per pair already written (see `lastTradeIds`). */
  lastTradeId: Record<string, number>;
  batching: CutOptions<Trade>;
  sink: Omit<PersistOptions, "stores" | "publish" | "predictions">;
  /** The online store gets its rows when the input ends (or stops), not as they come: see `openFeatureStores`. */
  onlineAtEnd?: boolean;
  signal: AbortSignal;
}

export async function drainTrades(
  cfg: BusConfig & { dataDir: string; windows: readonly Window[]; graceMs: number },
  /** Trades one at a time or in arrays (a file's, read in bulk). */
  source: ReadableStream<Trade | readonly Trade[]>,
  o: DrainOptions,
): Promise<void> {
  const { features, sink } = o;
  if (cfg.bus === "kafka") {
    await runOnBus(
      cfg,
      () => openFeatureStores(cfg.dataDir),
      (publish) =>
        source.pipeThrough(cut(o.batching)).pipeThrough(dedupe(o.lastTradeId)).pipeTo(
          persist({ ...sink, publish }),
        ),
      { bounded: true, log: logger("bus"), signal: o.signal },
    );
    return;
  }
  const stores = await openFeatureStores(cfg.dataDir, { onlineAtEnd: o.onlineAtEnd });
  const failed = await source.pipeThrough(cut(o.batching)).pipeThrough(dedupe(o.lastTradeId))
    .pipeThrough(candles(features.candles)).pipeThrough(indicators(features.indicators))
    .pipeTo(persist({ ...sink, stores })).then(() => undefined, (error: unknown) => ({ error }));
  try {
    // Also after a failure or a stop: the online store then gets what the offline store has.
    await stores.finish();
  } catch (e) {
    if (!failed) throw e;
    logger("backfill").warn(`the online store was not updated: ${(e as Error).message}`);
  } finally {
    stores.close();
  }
  if (failed) throw failed.error;
}
