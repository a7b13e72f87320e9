"""The Quix Streams anchor: the course's candle stage on the bench's trades.

Reads a trades-csv file, produces every trade to a fresh topic (keyed by pair, the trade's time
as the message timestamp), then runs a Quix Application with a 1m tumbling window computing
OHLCV per pair until every trade is consumed. Prints one JSON line: wall seconds from the first
CSV line to the last trade consumed, the produce part of them, and the candles emitted.

usage: quix_candles.py TRADES_CSV BROKERS TOPIC_PREFIX STATE_DIR
"""

import csv
import json
import sys
import time
from datetime import timedelta

import quixstreams
from quixstreams import Application
from quixstreams.models import TopicConfig


def main() -> None:
    path, brokers, prefix, state_dir = sys.argv[1:5]
    started = time.perf_counter()
    app = Application(
        broker_address=brokers,
        consumer_group=f"{prefix}candles",
        auto_offset_reset="earliest",
        state_dir=state_dir,
        loglevel="WARNING",
    )
    # Three partitions, as the project's bus creates its topics.
    trades_topic = app.topic(
        f"{prefix}trades",
        key_serializer="str",
        key_deserializer="str",
        config=TopicConfig(num_partitions=3, replication_factor=1),
    )

    produced = 0
    with open(path, newline="") as f, app.get_producer() as producer:
        rows = csv.reader(f)
        header = [h.strip().lower() for h in next(rows)]
        at = {name: header.index(name) for name in header}
        ts_col = at["time_ms"] if "time_ms" in at else at["ts"]
        pair_col = at["symbol"] if "symbol" in at else at["pair"]
        for row in rows:
            ts = int(row[ts_col])
            trade = {
                "pair": row[pair_col],
                "price": float(row[at["price"]]),
                "qty": float(row[at["qty"]]),
                "side": row[at["side"]],
                "ts": ts,
            }
            msg = trades_topic.serialize(key=trade["pair"], value=trade, timestamp_ms=ts)
            producer.produce(
                topic=trades_topic.name, key=msg.key, value=msg.value, timestamp=msg.timestamp
            )
            produced += 1
    produce_seconds = time.perf_counter() - started

    consumed = 0
    candles = 0

    def count_trade(_trade: dict) -> None:
        nonlocal consumed
        consumed += 1
        if consumed == produced:
            app.stop()

    def count_candle(_candle: dict) -> None:
        nonlocal candles
        candles += 1

    def first(trade: dict) -> dict:
        p = trade["price"]
        return {"open": p, "high": p, "low": p, "close": p, "volume": trade["qty"], "trades": 1}

    def add(candle: dict, trade: dict) -> dict:
        p = trade["price"]
        candle["high"] = max(candle["high"], p)
        candle["low"] = min(candle["low"], p)
        candle["close"] = p
        candle["volume"] += trade["qty"]
        candle["trades"] += 1
        return candle

    sdf = app.dataframe(trades_topic)
    sdf = sdf.update(count_trade)
    # The project's grace for late trades is 5 s; the same here, so windows close at the same point.
    sdf = sdf.tumbling_window(duration_ms=timedelta(minutes=1), grace_ms=timedelta(seconds=5))
    sdf = sdf.reduce(reducer=add, initializer=first).final()
    sdf = sdf.update(count_candle)
    app.run()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "trades": consumed,
                "produced": produced,
                "candles": candles,
                "seconds": seconds,
                "produce_seconds": produce_seconds,
                "quixstreams": quixstreams.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
