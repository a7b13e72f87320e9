/**
 * The TA-Lib anchor: the project's indicator set recomputed at every candle over the last 120
 * candles (the course's way), by `talib_recompute.py` in the anchors' venv, as a bench result
 * beside the project's incremental update on the same candles.
 */
import type { Candle } from "../../src/domain/candle.ts";
import type { BenchResult } from "../ws_frames.ts";
import { anchorPython, ANCHORS_HINT, runAnchor } from "./python.ts";

/** TA-Lib's µs per candle on `candles`, or null (with a message) without the anchors' venv. */
export async function talibRecompute(candles: readonly Candle[], repeats = 3): Promise<number | null> {
  const python = await anchorPython();
  if (python === null) {
    console.log(`  TA-Lib anchor skipped: ${ANCHORS_HINT}`);
    return null;
  }
  const dir = await Deno.makeTempDir({ prefix: "bench-talib-" });
  try {
    const cols = [
      "window_start",
      "open",
      "high",
      "low",
      "close",
      "volume",
      "vwap",
      "buy_volume",
      "sell_volume",
    ] as const;
    const data = Object.fromEntries(cols.map((k) => [k, candles.map((c) => c[k])]));
    await Deno.writeTextFile(`${dir}/candles.json`, JSON.stringify({ ...data, repeats }));
    const r = await runAnchor(python, "talib_recompute.py", [`${dir}/candles.json`]) as {
      us_per_candle: number;
      candles: number;
      window: number;
      talib: string;
    };
    console.log(
      `  TA-Lib ${r.talib}, every indicator recomputed over the last ${r.window} candles at each of ${r.candles} candles: ${
        r.us_per_candle.toFixed(1)
      } µs/candle`,
    );
    return r.us_per_candle;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The project's incremental µs per candle beside TA-Lib's recompute; null when the anchor is skipped. */
export async function talibResult(
  projectUs: number,
  candles: readonly Candle[],
): Promise<BenchResult | null> {
  const talibUs = await talibRecompute(candles);
  if (talibUs === null) return null;
  return {
    name: "indicator set update, beside TA-Lib's per-candle recompute",
    value: projectUs,
    unit: "µs/candle",
    reference: "TA-Lib recompute over the last 120 candles (µs/candle)",
    referenceValue: talibUs,
    ratio: projectUs / talibUs,
    target: "<= 1 (faster than the recompute)",
    pass: projectUs <= talibUs,
  };
}
