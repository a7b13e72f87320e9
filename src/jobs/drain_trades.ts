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
  const stores = await openFeatureStores(cfg.dataDir);
  try {
    await source.pipeThrough(cut(o.batching)).pipeThrough(dedupe(o.lastTradeId))
      .pipeThrough(candles(features.candles)).pipeThrough(indicators(features.indicators))
      .pipeTo(persist({ ...sink, stores }));
  } finally {
    stores.close();
  }
}
