/** What every route group of the app shares: its dependencies, the shared reads and the clock. */
import { type Window, WINDOW_MS } from "../domain/candle.ts";
import type { LoopStatus } from "../domain/model_loop.ts";
import type { ModelRegistry, Predictor } from "../domain/ports.ts";
import { httpError } from "./http_error.ts";
import type { SeriesReads } from "./series_reads.ts";

/** What the whole system is doing (under `start`/`demo`): shown by /health, /predict and the page. */
export interface SystemStatus {
  phase: "starting" | "catching up" | "training" | "live" | "stopping";
  detail: string;
}

export interface RouteContext {
  /** One per tracked (pair, window). */
  predictors: readonly Predictor[];
  registry: ModelRegistry;
  reads: SeriesReads;
  /** Epoch ms. */
  now: () => number;
  status?: (() => SystemStatus) | undefined;
  /** The model loop's view of a series (under `start`/`demo`); absent under plain `serve`. */
  loop?: ((pair: string, window: string) => LoopStatus | null) | undefined;
  /** Seconds; 0 disables the check; undefined: three windows. */
  maxFeatureAgeS?: number | undefined;
  chartScript?: string | undefined;
  /** More gauge lines for /metrics, from memory (the bus's, under `serve --bus kafka`). */
  extraGauges?: (() => string[]) | undefined;
}

/** The predictor of a tracked series; else a 404 with `body` (by default, which pair is not tracked). */
export function trackedOr404(
  ctx: RouteContext,
  pair: string,
  window: Window | undefined,
  body: Record<string, unknown> = {},
): Predictor {
  const predictor = ctx.predictors.find((p) =>
    p.pair === pair && (window === undefined || p.window === window)
  );
  if (!predictor) {
    throw httpError(404, { error: `${pair}${window ? ` ${window}` : ""} is not tracked`, ...body });
  }
  return predictor;
}

/**
 * The oldest features /predict answers from, in seconds, or null when the check is off: one place,
 * so /health (and the page, from it) says a series is stale exactly when /predict refuses it.
 */
export function featureAgeLimitS(ctx: RouteContext, window: Window): number | null {
  const limit = ctx.maxFeatureAgeS ?? (3 * WINDOW_MS[window]) / 1000;
  return limit > 0 ? limit : null;
}
