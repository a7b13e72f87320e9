/**
 * The stages of a trade pipeline, in the order they compose:
 *
 * ```ts
 * source.pipeThrough(cut({ size, ms })).pipeThrough(dedupe(seen)).pipeThrough(candles(state.candles))
 *   .pipeThrough(indicators(state.indicators)).pipeThrough(predict(predictor))
 *   .pipeTo(persist({ stores, checkpoint, state, recorder }));
 * ```
 */
export { type Batch, type Forecast } from "./batch.ts";
export { cut, cutBars, type CutOptions } from "./cut.ts";
export { dedupe, dedupeCandles } from "./dedupe.ts";
export { candles, type CandlesOptions } from "./candles.ts";
export { indicators } from "./indicators.ts";
export { predict, type PredictOptions, type RowForecaster, type UnsavedRows } from "./predict.ts";
export { persist, type PersistOptions, type TradePublisher } from "./persist.ts";
