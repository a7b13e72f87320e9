/**
 * What flows between the stages of a trade pipeline after `cut()`: one batch of input, to which
 * each stage adds what it made and its state as of the batch. A stream hop per trade per stage
 * would cost more than the transforms themselves, so only `cut()` sees single trades.
 *
 * The state snapshots are taken as each stage finishes the batch, while later batches may already
 * be changing the live state: so the checkpoint `persist()` saves after writing a batch describes
 * exactly what was written, and a job restored from it turns the next input into the same rows.
 */
import type { Candle } from "../domain/candle.ts";
import type { FeatureRow } from "../domain/feature_row.ts";
import type { NewsItem, NewsSignal } from "../domain/news.ts";
import type { Prediction } from "../domain/prediction.ts";
import type { Trade } from "../domain/trade.ts";
import type { CandleState } from "../transforms/candles.ts";
import type { IndicatorSetState } from "../transforms/indicators.ts";

/** What a row closing brings to the prediction store: the close it realises, and its own prediction. */
export interface Forecast {
  /** The prediction made `horizon` candles earlier, now realised by this row's close. */
  realises: { pair: string; window: string; made_at: number; close: number };
  /** The prediction made at this row's close; null when the model failed on it. */
  prediction: Prediction | null;
}

export interface Batch {
  /** Trades in arrival order (after `dedupe()`: only those not seen before). */
  trades: Trade[];
  /** With an idle tick configured: each trade's arrival on the wall clock, ms. */
  arrivals?: number[] | undefined;
  /** Candles of the smallest window read from a candle file, in place of trades. */
  bars: Candle[];
  /** An idle tick at this wall-clock time, ms: windows idle past it close (see `tickCandles`). */
  tick?: number | undefined;
  /** With the tick, the market's clock, ms: no window is taken to have passed beyond it. */
  tickCap?: number | undefined;
  /**
   * Pairs whose bounded input ended after this batch's trades (or candles): their open windows
   * close, and their series end there, so the pair's next input starts afresh, as a new run would.
   */
  ends?: string[] | undefined;
  /**
   * Over Kafka, which of its pair's series each pair's candles in this batch belong to: the
   * candles stage numbers a pair's series, one more at each `end`, so the features stage can tell
   * a candle the bus delivers again from before an `end` it has already applied.
   */
  candleSeries?: Record<string, number> | undefined;
  /** Over Kafka, the number of the series each `ends` pair's `end` starts. */
  endSeries?: Record<string, number> | undefined;
  /** Closed candles of every window, by `candles()`. */
  candles: Candle[];
  /** One feature row per closed candle, by `indicators()`. */
  rows: FeatureRow[];
  /** Predictions of the live rows, by `predict()`. */
  forecasts: Forecast[];
  /** Headlines read from the bus's `news` topic (src/bus/news_stages.ts). */
  news?: NewsItem[] | undefined;
  /** The ids of `news` read from a file rather than polled live (the `recorded` messages). */
  newsRecorded?: Set<string> | undefined;
  /** Per-coin signals: of the headlines, classified, or read from the bus's `news_signals` topic. */
  signals?: NewsSignal[] | undefined;
  /** Stage state as of the end of this batch, for the checkpoint. */
  state: {
    /** By `dedupe()`: the last trade id per pair. */
    lastTradeId?: Record<string, number>;
    /** By `dedupeCandles()`: the last candle start per `PAIR|WINDOW`. */
    lastStart?: Record<string, number>;
    candles?: CandleState;
    indicators?: Record<string, IndicatorSetState>;
    /** By `dedupeNews()`: the ids of the latest headlines, oldest first. */
    newsSeen?: string[];
    /** Over Kafka: the number of each pair's current series (see `candleSeries`). */
    series?: Record<string, number>;
  };
}

/** A batch with nothing in it yet. */
export function emptyBatch(): Batch {
  return { trades: [], bars: [], candles: [], rows: [], forecasts: [], state: {} };
}
