/**
 * Where npm:technicalindicators agrees with TA-Lib and where it does not, on the same real candles
 * as talib_reference_test.ts. This pins the README's account of why the project computes its
 * indicators itself; a library upgrade that changes the picture fails here.
 */
import * as ti from "technicalindicators";
import { assert } from "../assert.ts";
import { hasSharedData, sharedFile } from "../helpers.ts";

const FIXTURE = new URL("../fixtures/talib_reference_btcusd_1m.csv", import.meta.url);

Deno.test({
  name:
    "technicalindicators matches TA-Lib on SMA, EMA, Bollinger, ATR, ROC and differs on RSI, MACD, ADX, MFI, OBV, StochRSI",
  ignore: !hasSharedData(),
  async fn() {
    const rows = (await Deno.readTextFile(sharedFile("kraken/rest_ohlc_XXBTZUSD_1m_2020-04_05.csv")))
      .trim().split("\n").slice(1, 3001).map((l) => l.split(",").map(Number));
    const high = rows.map((r) => r[3] as number), low = rows.map((r) => r[4] as number);
    const close = rows.map((r) => r[5] as number), volume = rows.map((r) => r[7] as number);
    const [header, ...lines] = (await Deno.readTextFile(FIXTURE)).trim().split("\n");
    const columns = (header as string).split(",");
    const ref = lines.map((l) => l.split(",").map((x) => x === "" ? null : Number(x)));
    const worst = (column: string, out: number[]) => {
      const j = columns.indexOf(column);
      const offset = rows.length - out.length;
      let w = 0;
      for (let i = 0; i < out.length; i++) {
        const want = ref[i + offset]?.[j];
        if (want === null || want === undefined) continue;
        w = Math.max(w, Math.abs((out[i] as number) - want) / Math.max(1, Math.abs(want)));
      }
      return w;
    };
    const macd = ti.MACD.calculate({
      values: close,
      fastPeriod: 10,
      slowPeriod: 24,
      signalPeriod: 9,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
    });
    const agree: [string, number][] = [
      ["sma_7", worst("sma_7", ti.SMA.calculate({ values: close, period: 7 }))],
      ["volume_ema_10", worst("volume_ema_10", ti.EMA.calculate({ values: volume, period: 10 }))],
      [
        "bb_upper_20",
        worst(
          "bb_upper_20",
          ti.BollingerBands.calculate({ values: close, period: 20, stdDev: 2 }).map((b) => b.upper),
        ),
      ],
      ["atr_10", worst("atr_10", ti.ATR.calculate({ high, low, close, period: 10 }))],
      ["roc_6", worst("roc_6", ti.ROC.calculate({ values: close, period: 6 }))],
    ];
    const differ: [string, number][] = [
      ["rsi_14", worst("rsi_14", ti.RSI.calculate({ values: close, period: 14 }))],
      ["macd", worst("macd", macd.map((m) => m.MACD as number))],
      ["adx_14", worst("adx_14", ti.ADX.calculate({ high, low, close, period: 14 }).map((a) => a.adx))],
      ["mfi_10", worst("mfi_10", ti.MFI.calculate({ high, low, close, volume, period: 10 }))],
      ["obv", worst("obv", ti.OBV.calculate({ close, volume }))],
      [
        "stochrsi_k",
        worst(
          "stochrsi_k",
          ti.StochasticRSI.calculate({
            values: close,
            rsiPeriod: 10,
            stochasticPeriod: 5,
            kPeriod: 1,
            dPeriod: 3,
          })
            .map((s) => s.k),
        ),
      ],
    ];
    for (const [name, err] of agree) assert(err <= 1e-12, `${name}: ${err}`);
    for (const [name, err] of differ) {
      assert(err > 1e-6, `${name} now agrees with TA-Lib (${err}); revisit the README`);
    }
  },
});
