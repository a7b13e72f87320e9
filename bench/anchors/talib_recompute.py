#!/usr/bin/env python3
"""The course's way of computing indicators: at every new candle, TA-Lib recomputes each one
over the last 120 candles and keeps the last value.

Usage: talib_recompute.py CANDLES.json

CANDLES.json (written by bench/anchors/talib.ts) holds equal-length arrays ``window_start``
(epoch ms), ``open``, ``high``, ``low``, ``close``, ``volume``, ``vwap``, ``buy_volume``,
``sell_volume`` and ``repeats``. The indicator set is the project's
(src/transforms/indicators/registry.ts; TA-Lib calls as in scripts/talib_reference.py), with the
columns TA-Lib has no function for (log returns, realised volatility, order flow, VWAP distance,
hour and weekday) in plain Python. Every candle from the 120th on is timed, best of
``repeats`` passes. Prints one JSON object: ``us_per_candle``, ``candles``, ``window``, ``talib``.
"""

import json
import math
import sys
import time
from datetime import datetime, timezone

import numpy as np
import talib

WINDOW = 120


def indicators(o, h, l, c, v, vwap, buy, sell, start_ms):
    """Every column of one feature row, from the candles of the window (the last is the new one)."""
    out = {}
    for p in (9, 14, 21):
        out[f"rsi_{p}"] = talib.RSI(c, timeperiod=p)[-1]
    macd, signal, hist = talib.MACD(c, fastperiod=10, slowperiod=24, signalperiod=9)
    out["macd"], out["macd_signal"], out["macd_hist"] = macd[-1], signal[-1], hist[-1]
    upper, middle, lower = talib.BBANDS(c, timeperiod=20, nbdevup=2, nbdevdn=2, matype=0)
    out["bb_upper_20"], out["bb_middle_20"], out["bb_lower_20"] = upper[-1], middle[-1], lower[-1]
    k, d = talib.STOCHRSI(c, timeperiod=10, fastk_period=5, fastd_period=3, fastd_matype=0)
    out["stochrsi_k"], out["stochrsi_d"] = k[-1], d[-1]
    out["adx_14"] = talib.ADX(h, l, c, timeperiod=14)[-1]
    out["atr_10"] = talib.ATR(h, l, c, timeperiod=10)[-1]
    out["mfi_10"] = talib.MFI(h, l, c, v, timeperiod=10)[-1]
    out["roc_6"] = talib.ROC(c, timeperiod=6)[-1]
    for p in (7, 14, 21):
        out[f"sma_{p}"] = talib.SMA(c, timeperiod=p)[-1]
    out["volume_ema_10"] = talib.EMA(v, timeperiod=10)[-1]
    out["obv"] = talib.OBV(c, v)[-1]
    last = c[-16:].tolist()
    for p in (1, 5, 15):
        out[f"log_return_{p}"] = math.log(last[-1] / last[-1 - p])
    out["realized_vol_15"] = math.sqrt(sum(math.log(b / a) ** 2 for a, b in zip(last, last[1:])))
    out["order_flow_imbalance"] = (buy[-1] - sell[-1]) / v[-1] if v[-1] > 0 else 0.0
    out["close_vs_vwap"] = (c[-1] - vwap[-1]) / vwap[-1] if vwap[-1] > 0 else 0.0
    when = datetime.fromtimestamp(start_ms[-1] / 1000, tz=timezone.utc)
    out["hour_of_day"], out["day_of_week"] = when.hour, (when.weekday() + 1) % 7
    return out


def main(argv):
    if len(argv) != 2:
        sys.exit(f"usage: {argv[0]} CANDLES.json")
    with open(argv[1]) as f:
        data = json.load(f)
    cols = [np.asarray(data[k], dtype=np.float64) for k in
            ("open", "high", "low", "close", "volume", "vwap", "buy_volume", "sell_volume", "window_start")]
    n = len(cols[0])
    if n <= WINDOW:
        sys.exit(f"talib_recompute.py: need more than {WINDOW} candles, got {n}")
    best = float("inf")
    for _ in range(max(1, int(data.get("repeats", 1)))):
        t0 = time.perf_counter()
        for i in range(WINDOW, n + 1):
            indicators(*(col[i - WINDOW:i] for col in cols))
        best = min(best, time.perf_counter() - t0)
    timed = n + 1 - WINDOW
    print(json.dumps({
        "us_per_candle": best * 1e6 / timed,
        "candles": timed,
        "window": WINDOW,
        "talib": talib.__version__,
    }))


if __name__ == "__main__":
    main(sys.argv)
