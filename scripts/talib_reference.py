#!/usr/bin/env python3
"""Generate TA-Lib reference values for testing the TypeScript indicators.

Dev-time only: this script is not part of the pipeline. It computes a fixed
set of technical indicators with the real TA-Lib (PyPI package ``TA-Lib``
0.8.2, which bundles the TA-Lib C library 0.8.1; function API on float64
numpy arrays) and writes them to a CSV fixture that the Deno tests compare
against. Every number is written as ``repr(float(x))`` so it round-trips
exactly; NaN (TA-Lib warm-up) is written as an empty cell.

Two fixtures, two modes.

1. Real candles (needs ../shared, so its test skips without it):

       talib_reference.py INPUT_OHLC.csv OUTPUT.csv

   INPUT is a Kraken REST OHLC CSV with header
   ``time,time_fmt,open,high,low,close,vwap,volume,count`` (``time`` = candle
   start in unix seconds); only its first ``N_ROWS`` rows are used. OUTPUT has
   ``time`` and the indicator columns only: the inputs stay in ../shared.

2. Synthetic edge cases (self-contained, what CI checks):

       talib_reference.py --synthetic OUTPUT.csv

   Seeded 5m candles of two pairs, made here, that take the indicators through
   the cases real data rarely shows: a long outage (hundreds of flat
   zero-volume candles, long enough for Wilder-smoothed gains and true ranges
   to decay far below 1e-14), short outages, missing windows (gaps), flat candles
   that do trade, consecutive candles with equal typical prices (bit-equal
   and equal up to float rounding), equal consecutive closes, and a
   low-priced pair whose money flow per window is far below 1.0.

   Output columns: ``pair,time,gap,open,high,low,close,volume`` and the
   indicator columns. ``gap`` is 1 for a window that is missing from the
   candle list: the project's candle builder fills it with a flat candle at
   the previous close and zero volume, and so does this script, so TA-Lib
   sees exactly the sequence the indicators see. The test feeds the ``gap=0``
   rows through the candle builder and checks that it rebuilds every row.

Regenerate both (from the repo root, in a venv outside the repo):
    python3 -m venv /tmp/talib-venv
    /tmp/talib-venv/bin/pip install TA-Lib==0.8.2 numpy
    /tmp/talib-venv/bin/python scripts/talib_reference.py \\
        ../shared/data/kraken/rest_ohlc_XXBTZUSD_1m_2020-04_05.csv \\
        tests/fixtures/talib_reference_btcusd_1m.csv
    /tmp/talib-venv/bin/python scripts/talib_reference.py --synthetic \\
        tests/fixtures/talib_reference_synthetic_5m.csv

The synthetic candles depend only on ``SEED`` and the code below (Python's
``random.Random`` is stable across versions), so a rerun rewrites the same
file byte for byte unless TA-Lib's output changes.
"""

import csv
import math
import random
import sys

import numpy as np
import talib

N_ROWS = 3000
SEED = 15  # its long outage leaves a plain running sum of money flow a non-zero residue
WINDOW_S = 300
START_S = 1_704_067_200  # 2024-01-01T00:00:00Z

COLUMNS = [
    "rsi_9", "rsi_14", "rsi_21",
    "macd", "macd_signal", "macd_hist",
    "bb_upper_20", "bb_middle_20", "bb_lower_20",
    "stochrsi_k", "stochrsi_d",
    "adx_14", "atr_10", "mfi_10", "roc_6",
    "sma_7", "sma_14", "sma_21",
    "volume_ema_10", "obv",
]
CANDLE_FIELDS = ("open", "high", "low", "close", "volume")


def read_ohlcv(path, n_rows=N_ROWS):
    """Return (time, {open, high, low, close, volume}) for the first n_rows."""
    times, cols = [], {k: [] for k in CANDLE_FIELDS}
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
    h, l, c, v = d["high"], d["low"], d["close"], d["volume"]
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


class Market:
    """One pair's candles, built segment by segment; prices on a `tick` grid."""

    def __init__(self, rng, price, tick, volume):
        self.rng, self.tick, self.volume = rng, tick, volume
        self.close = self.round(price)
        self.rows = []  # (gap, open, high, low, close, volume)

    def round(self, x):
        # Rounded to a decimal string and back, so the CSV holds the same
        # shortest form the script computed with.
        return float(f"{round(x / self.tick) * self.tick:.10f}")

    def bar(self, o, h, l, c, v, gap=False):
        self.rows.append((1 if gap else 0, o, h, l, c, v))
        self.close = c

    def active(self, n, step, gap_chance=0.0):
        for _ in range(n):
            # A candle list cannot start with a missing window: the builder fills gaps behind a candle.
            if self.rows and self.rng.random() < gap_chance:
                self.flat(self.rng.randint(1, 3), gap=True)
            o = self.close
            c = self.round(o + self.rng.gauss(0, step))
            h = self.round(max(o, c) + abs(self.rng.gauss(0, step / 2)))
            l = self.round(min(o, c) - abs(self.rng.gauss(0, step / 2)))
            self.bar(o, h, l, c, self.traded())

    def traded(self):
        return round(self.volume * self.rng.lognormvariate(0, 1), 8)

    def flat(self, n, gap, volume=False):
        """Candles at the last close: an outage (no volume) or a market that trades at one price."""
        for _ in range(n):
            p = self.close
            self.bar(p, p, p, p, self.traded() if volume else 0.0, gap=gap)

    def equal_typical(self, n, spread):
        """Candles whose (high + low + close) / 3 stays at the segment's first close while they move."""
        p = self.close
        for i in range(n):
            if i % 3 < 2:
                # Two identical bars in a row: bit-equal typical prices.
                h, l, c = self.round(p + spread), self.round(p - spread), p
            else:
                # Offsets that cancel in decimal but may leave float rounding in the sum.
                d = self.round(self.rng.randint(1, 9) * self.tick)
                e = self.round(self.rng.randint(1, 9) * self.tick)
                h, c, l = self.round(p + d + e), self.round(p - d), self.round(p - e)
            o = self.close
            self.bar(o, max(h, l, c, o), min(h, l, c, o), c, self.traded())


def synthetic_markets():
    rng = random.Random(SEED)
    btc = Market(rng, 42_000.0, 0.1, 2.0)
    btc.active(260, 25.0, gap_chance=0.03)
    btc.flat(40, gap=False)           # an outage the exchange reports as empty candles
    btc.flat(720, gap=True)           # then missing windows, long enough for RSI/ADX to decay
    btc.flat(40, gap=False)
    btc.active(120, 25.0, gap_chance=0.05)
    btc.flat(30, gap=False, volume=True)
    btc.active(40, 25.0)
    btc.equal_typical(45, 5.0)
    btc.active(60, 25.0)
    for _ in range(25):               # equal consecutive closes, with volume
        btc.active(2, 25.0)
        btc.flat(2, gap=False, volume=True)
    btc.flat(25, gap=True)            # a short outage: MFI's window empties, RSI does not decay
    btc.active(150, 25.0, gap_chance=0.05)

    shib = Market(rng, 0.0000245, 1e-9, 400.0)
    shib.active(140, 2.5e-7, gap_chance=0.05)
    shib.flat(30, gap=True)
    shib.equal_typical(30, 5e-9)
    shib.active(60, 2.5e-7)
    return [("BTC/USD", btc.rows), ("SHIB/USD", shib.rows)]


def write_synthetic(path):
    n = 0
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["pair", "time", "gap", *CANDLE_FIELDS, *COLUMNS])
        for pair, rows in synthetic_markets():
            data = {k: np.asarray([r[i + 1] for r in rows], dtype=np.float64)
                    for i, k in enumerate(CANDLE_FIELDS)}
            out = compute(data)
            for i, r in enumerate(rows):
                w.writerow([pair, START_S + i * WINDOW_S, r[0], *(fmt(x) for x in r[1:]),
                            *(fmt(out[k][i]) for k in COLUMNS)])
                n += 1
    print(f"wrote {n} rows to {path} (TA-Lib {talib.__version__})")


def write_real(source, path):
    times, data = read_ohlcv(source)
    out = compute(data)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["time"] + COLUMNS)
        for i, t in enumerate(times):
            w.writerow([t] + [fmt(out[k][i]) for k in COLUMNS])
    print(f"wrote {len(times)} rows to {path} (TA-Lib {talib.__version__})")


def main(argv):
    if len(argv) == 3 and argv[1] == "--synthetic":
        write_synthetic(argv[2])
    elif len(argv) == 3 and not argv[1].startswith("-"):
        write_real(argv[1], argv[2])
    else:
        sys.exit(f"usage: {argv[0]} INPUT_OHLC.csv OUTPUT.csv | {argv[0]} --synthetic OUTPUT.csv")


if __name__ == "__main__":
    main(sys.argv)
