#!/usr/bin/env python3
"""Generate TA-Lib reference values for testing the TypeScript indicators.

Dev-time only: this script is not part of the pipeline. It computes a fixed
set of technical indicators with the real TA-Lib (PyPI package ``TA-Lib``
0.8.2, which bundles the TA-Lib C library; function API on float64 numpy
arrays) and writes them to a CSV fixture that the Deno tests compare against.

Input: a Kraken REST OHLC CSV with header
    time,time_fmt,open,high,low,close,vwap,volume,count
where ``time`` is the candle start in unix seconds. Only the first
``N_ROWS`` rows (in file order) are used.

Output: a CSV with a ``time`` column (copied from the input) followed by the
indicator columns listed in ``COLUMNS``. NaN (TA-Lib warm-up) is written as
an empty cell; every number is written as ``repr(float(x))`` so it round-trips
exactly. The input's price/volume columns are deliberately NOT written.

Usage (from the repo root, in a venv outside the repo):
    python3 -m venv /tmp/talib-venv
    /tmp/talib-venv/bin/pip install TA-Lib==0.8.2 numpy
    /tmp/talib-venv/bin/python scripts/talib_reference.py \\
        ../shared/data/kraken/rest_ohlc_XXBTZUSD_1m_2020-04_05.csv \\
        tests/fixtures/talib_reference_btcusd_1m.csv
"""

import csv
import math
import sys

import numpy as np
import talib

N_ROWS = 3000

COLUMNS = [
    "rsi_9", "rsi_14", "rsi_21",
    "macd", "macd_signal", "macd_hist",
    "bb_upper_20", "bb_middle_20", "bb_lower_20",
    "stochrsi_k", "stochrsi_d",
    "adx_14", "atr_10", "mfi_10", "roc_6",
    "sma_7", "sma_14", "sma_21",
    "volume_ema_10", "obv",
]


def read_ohlcv(path, n_rows=N_ROWS):
    """Return (time, {open, high, low, close, volume}) for the first n_rows."""
    times, cols = [], {k: [] for k in ("open", "high", "low", "close", "volume")}
    with open(path, newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if i >= n_rows:
                break
            times.append(int(row["time"]))
            for k in cols:
                cols[k].append(float(row[k]))
    if len(times) < n_rows:
        sys.exit(f"expected at least {n_rows} rows in {path}, got {len(times)}")
    return times, {k: np.asarray(v, dtype=np.float64) for k, v in cols.items()}


def compute(d):
    """Compute all indicator columns; returns {column name: float64 array}."""
    o, h, l, c, v = d["open"], d["high"], d["low"], d["close"], d["volume"]
    out = {}
    for p in (9, 14, 21):
        out[f"rsi_{p}"] = talib.RSI(c, timeperiod=p)
    out["macd"], out["macd_signal"], out["macd_hist"] = talib.MACD(
        c, fastperiod=10, slowperiod=24, signalperiod=9)
    out["bb_upper_20"], out["bb_middle_20"], out["bb_lower_20"] = talib.BBANDS(
        c, timeperiod=20, nbdevup=2, nbdevdn=2, matype=0)
    out["stochrsi_k"], out["stochrsi_d"] = talib.STOCHRSI(
        c, timeperiod=10, fastk_period=5, fastd_period=3, fastd_matype=0)
    out["adx_14"] = talib.ADX(h, l, c, timeperiod=14)
    out["atr_10"] = talib.ATR(h, l, c, timeperiod=10)
    out["mfi_10"] = talib.MFI(h, l, c, v, timeperiod=10)
    out["roc_6"] = talib.ROC(c, timeperiod=6)
    for p in (7, 14, 21):
        out[f"sma_{p}"] = talib.SMA(c, timeperiod=p)
    out["volume_ema_10"] = talib.EMA(v, timeperiod=10)
    out["obv"] = talib.OBV(c, v)
    assert list(out) == COLUMNS
    return out


def fmt(x):
    x = float(x)
    return "" if math.isnan(x) else repr(x)


def main(argv):
    if len(argv) != 3:
        sys.exit(f"usage: {argv[0]} INPUT_OHLC.csv OUTPUT.csv")
    times, data = read_ohlcv(argv[1])
    out = compute(data)
    with open(argv[2], "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["time"] + COLUMNS)
        for i, t in enumerate(times):
            w.writerow([t] + [fmt(out[k][i]) for k in COLUMNS])
    print(f"wrote {len(times)} rows to {argv[2]} (TA-Lib {talib.__version__})")


if __name__ == "__main__":
    main(sys.argv)
