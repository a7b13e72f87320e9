/**
 * Candles → feature rows: every indicator of one (pair, window) series, updated incrementally
 * (one candle in, one row out). Definitions follow TA-Lib, which the reference tests check to
 * 1e-9; see README "Indicators" for why these are not technicalindicators' classes.
 */
import type { Candle } from "../domain/candle.ts";
import type { FeatureRow, IndicatorColumn } from "../domain/feature_row.ts";
import { Ema, type EmaState, Sma, type SmaState } from "./indicators/averages.ts";
import { back, full, push, type Ring, ring } from "./indicators/contract.ts";
import {
  Macd,
  type MacdState,
  Roc,
  type RocState,
  Rsi,
  type RsiState,
  StochRsi,
  type StochRsiState,
} from "./indicators/momentum.ts";
import { Adx, type AdxState, Atr, type AtrState, Bbands, type BbandsState } from "./indicators/volatility.ts";
import { Mfi, type MfiState, Obv, type ObvState } from "./indicators/volume.ts";

/** The whole state of one series' indicators, plain data for checkpoints. */
export interface IndicatorSetState {
  candles: number;
  rsi9: RsiState;
  rsi14: RsiState;
  rsi21: RsiState;
  macd: MacdState;
  bb: BbandsState;
  stochRsi: StochRsiState;
  adx: AdxState;
  atr: AtrState;
  mfi: MfiState;
  roc: RocState;
  sma7: SmaState;
  sma14: SmaState;
  sma21: SmaState;
  volumeEma: EmaState;
  obv: ObvState;
  closes: Ring;
  squaredReturns: Ring;
  squaredSum: number;
}

const RETURN_SPANS = [1, 5, 15] as const;
const VOL_SPAN = 15;

export class IndicatorSet {
  readonly state: IndicatorSetState;
  #rsi9: Rsi;
  #rsi14: Rsi;
  #rsi21: Rsi;
  #macd: Macd;
  #bb: Bbands;
  #stochRsi: StochRsi;
  #adx: Adx;
  #atr: Atr;
  #mfi: Mfi;
  #roc: Roc;
  #sma7: Sma;
  #sma14: Sma;
  #sma21: Sma;
  #volumeEma: Ema;
  #obv: Obv;

  constructor(state?: IndicatorSetState) {
    this.#rsi9 = new Rsi(9, state?.rsi9);
    this.#rsi14 = new Rsi(14, state?.rsi14);
    this.#rsi21 = new Rsi(21, state?.rsi21);
    this.#macd = new Macd(10, 24, 9, state?.macd);
    this.#bb = new Bbands(20, 2, state?.bb);
    this.#stochRsi = new StochRsi(10, 5, 3, state?.stochRsi);
    this.#adx = new Adx(14, state?.adx);
    this.#atr = new Atr(10, state?.atr);
    this.#mfi = new Mfi(10, state?.mfi);
    this.#roc = new Roc(6, state?.roc);
    this.#sma7 = new Sma(7, state?.sma7);
    this.#sma14 = new Sma(14, state?.sma14);
    this.#sma21 = new Sma(21, state?.sma21);
    this.#volumeEma = new Ema(10, state?.volumeEma);
    this.#obv = new Obv(state?.obv);
    this.state = state ?? {
      candles: 0,
      rsi9: this.#rsi9.state,
      rsi14: this.#rsi14.state,
      rsi21: this.#rsi21.state,
      macd: this.#macd.state,
      bb: this.#bb.state,
      stochRsi: this.#stochRsi.state,
      adx: this.#adx.state,
      atr: this.#atr.state,
      mfi: this.#mfi.state,
      roc: this.#roc.state,
      sma7: this.#sma7.state,
      sma14: this.#sma14.state,
      sma21: this.#sma21.state,
      volumeEma: this.#volumeEma.state,
      obv: this.#obv.state,
      closes: ring(Math.max(...RETURN_SPANS) + 1),
      squaredReturns: ring(VOL_SPAN),
      squaredSum: 0,
    };
  }

  /** Candles a series needs before every column has a value. */
  get requiredInputs(): number {
    return Math.max(
      this.#rsi21.requiredInputs,
      this.#macd.requiredInputs,
      this.#bb.requiredInputs,
      this.#stochRsi.requiredInputs,
      this.#adx.requiredInputs,
      this.#atr.requiredInputs,
      this.#mfi.requiredInputs,
      this.#roc.requiredInputs,
      this.#sma21.requiredInputs,
      this.#volumeEma.requiredInputs,
      Math.max(...RETURN_SPANS) + 1,
      VOL_SPAN + 1,
    );
  }

  /** Adds the next closed candle of the series and returns its feature row. */
  add(c: Candle): FeatureRow {
    const s = this.state;
    s.candles++;
    const macd = this.#macd.add(c.close);
    const bb = this.#bb.add(c.close);
    const stoch = this.#stochRsi.add(c.close);
    const closes = s.closes;
    const prevClose = closes.count > 0 ? back(closes, 0) : null;
    push(closes, c.close);
    const ret = (span: number) => closes.count > span ? Math.log(c.close / back(closes, span)) : null;
    let realized: number | null = null;
    if (prevClose !== null) {
      const r = Math.log(c.close / prevClose);
      s.squaredSum += r * r - push(s.squaredReturns, r * r);
      if (full(s.squaredReturns)) realized = Math.sqrt(Math.max(0, s.squaredSum));
    }
    const start = new Date(c.window_start);
    const features: Record<IndicatorColumn, number | null> = {
      rsi_9: this.#rsi9.add(c.close),
      rsi_14: this.#rsi14.add(c.close),
      rsi_21: this.#rsi21.add(c.close),
      macd: macd?.macd ?? null,
      macd_signal: macd?.signal ?? null,
      macd_hist: macd?.hist ?? null,
      bb_upper_20: bb?.upper ?? null,
      bb_middle_20: bb?.middle ?? null,
      bb_lower_20: bb?.lower ?? null,
      stochrsi_k: stoch?.k ?? null,
      stochrsi_d: stoch?.d ?? null,
      adx_14: this.#adx.add(c),
      atr_10: this.#atr.add(c),
      mfi_10: this.#mfi.add(c),
      roc_6: this.#roc.add(c.close),
      sma_7: this.#sma7.add(c.close),
      sma_14: this.#sma14.add(c.close),
      sma_21: this.#sma21.add(c.close),
      volume_ema_10: this.#volumeEma.add(c.volume),
      obv: this.#obv.add(c),
      log_return_1: ret(1),
      log_return_5: ret(5),
      log_return_15: ret(15),
      realized_vol_15: realized,
      order_flow_imbalance: c.volume > 0 ? (c.buy_volume - c.sell_volume) / c.volume : 0,
      close_vs_vwap: c.vwap > 0 ? (c.close - c.vwap) / c.vwap : 0,
      hour_of_day: start.getUTCHours(),
      day_of_week: start.getUTCDay(),
    };
    return { ...c, ...features, warm: s.candles >= WARMUP_CANDLES };
  }
}

/** Candles before a series' rows are warm: the longest warm-up of any column. Live and history share it. */
export const WARMUP_CANDLES: number = new IndicatorSet().requiredInputs;
