/**
 * The rows per series in the offline store, logged at the end of a backfill; and the series it
 * held before, to say where a run cut one (`seamWarnings`).
 */
import type { BusConfig } from "../config.ts";
import { isoTime } from "../domain/time.ts";
import { DuckDbFeatureStore } from "../stores/offline_duckdb.ts";
import type { Logger } from "../util/log.ts";
import { type HeldSeries, type RunSpans, seamWarnings } from "../transforms/series_seams.ts";

/** Logs a line per series, when this process can read the store (not a trades-only bus stage). */
export async function logOfflineSummary(cfg: BusConfig & { dataDir: string }, log: Logger): Promise<void> {
  if (cfg.bus === "kafka" && cfg.stage !== "all") return;
  const store = await DuckDbFeatureStore.open(`${cfg.dataDir}/offline.duckdb`, { readOnly: true });
  try {
    for (const c of await store.counts()) {
      log.info(
        `offline store: ${c.pair} ${c.window}: ${c.rows} rows, ${isoTime(c.first)} .. ${isoTime(c.last)}`,
      );
    }
  } finally {
    store.close();
  }
}

/**
 * The series of `windows` the offline store holds before an embedded run writes to it (none when it
 * does not exist yet, or when this process writes no rows: a trades-only bus stage, or the Kafka
 * path, whose rows the stages make).
 */
export async function heldSeries(
  cfg: BusConfig & { dataDir: string; windows: readonly string[] },
): Promise<HeldSeries[]> {
  if (cfg.bus === "kafka") return [];
  const path = `${cfg.dataDir}/offline.duckdb`;
  try {
    await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const store = await DuckDbFeatureStore.open(path, { readOnly: true });
  try {
    return (await store.counts()).filter((c) => cfg.windows.includes(c.window));
  } finally {
    store.close();
  }
}

/** Warns of each series a run cut, from what the store held before it and where the run's rows began. */
export function logSeams(
  held: readonly HeldSeries[],
  spans: RunSpans,
  log: Logger,
  input: "trades" | "candles" = "trades",
): void {
  for (const line of seamWarnings(held, spans, input)) log.warn(line);
}
