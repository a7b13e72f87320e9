/**
 * Every indicator column of a feature row, in column order: the one list the indicator set, the
 * feature row's columns (and so the stores' schemas and exports) and the contract test are made
 * from. An indicator is added as a class in this folder and one entry here; periods go in the
 * column names. Each entry documents what it gives on flat input, which the contract test checks.
 */
import type { Candle } from "../../domain/candle.ts";
import { Ema, type EmaState, Sma, type SmaState } from "./averages.ts";
import {
  Macd,
  type MacdState,
  Roc,
  type RocState,
  Rsi,
  type RsiState,
  StochRsi,
  type StochRsiState,
} from "./momentum.ts";
import { LogReturn, type LogReturnState, RealizedVol, type RealizedVolState } from "./returns.ts";
import { fromCandle, many, one } from "./spec.ts";
import { Adx, type AdxState, Atr, type AtrState, Bbands, type BbandsState } from "./volatility.ts";
import { Mfi, type MfiState, Obv, type ObvState } from "./volume.ts";

const close = (c: Candle) => c.close;
const bar = (c: Candle) => c;
const zero = () => 0;

export const INDICATORS = [
  // RSI is 0, not 50, when nothing moved (as TA-Lib).
  one("rsi9", "rsi_9", (s?: RsiState) => new Rsi(9, s), close, zero),
  one("rsi14", "rsi_14", (s?: RsiState) => new Rsi(14, s), close, zero),
  one("rsi21", "rsi_21", (s?: RsiState) => new Rsi(21, s), close, zero),
  many(
    "macd",
    { macd: "macd", macd_signal: "signal", macd_hist: "hist" },
    (s?: MacdState) => new Macd(10, 24, 9, s),
    close,
    () => ({ macd: 0, macd_signal: 0, macd_hist: 0 }),
  ),
  many(
    "bb",
    { bb_upper_20: "upper", bb_middle_20: "middle", bb_lower_20: "lower" },
    (s?: BbandsState) => new Bbands(20, 2, s),
    close,
    (c) => ({ bb_upper_20: c.close, bb_middle_20: c.close, bb_lower_20: c.close }),
  ),
  many(
    "stochRsi",
    { stochrsi_k: "k", stochrsi_d: "d" },
    (s?: StochRsiState) => new StochRsi(10, 5, 3, s),
    close,
    () => ({ stochrsi_k: 0, stochrsi_d: 0 }),
  ),
  one("adx", "adx_14", (s?: AdxState) => new Adx(14, s), bar, zero),
  // Identical candles still range from low to high.
  one("atr", "atr_10", (s?: AtrState) => new Atr(10, s), bar, (c) => c.high - c.low),
  // No move of the typical price is no money flow, and an empty window is 0 (as TA-Lib).
  one("mfi", "mfi_10", (s?: MfiState) => new Mfi(10, s), bar, zero),
  one("roc", "roc_6", (s?: RocState) => new Roc(6, s), close, zero),
  one("sma7", "sma_7", (s?: SmaState) => new Sma(7, s), close, close),
  one("sma14", "sma_14", (s?: SmaState) => new Sma(14, s), close, close),
  one("sma21", "sma_21", (s?: SmaState) => new Sma(21, s), close, close),
  one("volumeEma", "volume_ema_10", (s?: EmaState) => new Ema(10, s), (c) => c.volume, (c) => c.volume),
  // OBV starts at the first candle's volume and moves only with the close.
  one("obv", "obv", (s?: ObvState) => new Obv(s), bar, (c) => c.volume),
  one("logReturn1", "log_return_1", (s?: LogReturnState) => new LogReturn(1, s), close, zero),
  one("logReturn5", "log_return_5", (s?: LogReturnState) => new LogReturn(5, s), close, zero),
  one("logReturn15", "log_return_15", (s?: LogReturnState) => new LogReturn(15, s), close, zero),
  one("realizedVol15", "realized_vol_15", (s?: RealizedVolState) => new RealizedVol(15, s), close, zero),
  fromCandle("order_flow_imbalance", (c) => c.volume > 0 ? (c.buy_volume - c.sell_volume) / c.volume : 0),
  fromCandle("close_vs_vwap", (c) => c.vwap > 0 ? (c.close - c.vwap) / c.vwap : 0),
  fromCandle("hour_of_day", (c) => new Date(c.window_start).getUTCHours()),
  fromCandle("day_of_week", (c) => new Date(c.window_start).getUTCDay()),
] as const;

export type IndicatorColumn = typeof INDICATORS[number]["columns"][number];

const columnsOf = (spec: typeof INDICATORS[number]): readonly IndicatorColumn[] => spec.columns;

/** Indicator and derived columns, in export order. */
export const INDICATOR_COLUMNS: readonly IndicatorColumn[] = INDICATORS.flatMap(columnsOf);
