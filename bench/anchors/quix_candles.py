"""The Quix Streams anchor: the course's candle stage on the bench's trades.

Reads a trades-csv file, produces every trade to a fresh topic (keyed by pair, the trade's time
as the message timestamp), then runs a Quix Application with a 1m tumbling window computing
OHLCV per pair until every partition is consumed to its end. Prints one JSON line: wall seconds
from the first CSV line to the last trade consumed, the produce part of them, the trades consumed
(redeliveries included), and the candles emitted. A run that consumes nothing for STALL_S seconds
is stopped and reported with `stalled: true`, so a stuck consumer cannot hang the bench.

usage: quix_candles.py TRADES_CSV BROKERS TOPIC_PREFIX STATE_DIR
"""

import csv
import json
import sys
import threading
import time
from datetime import timedelta

import quixstreams
from confluent_kafka import Consumer, TopicPartition
from quixstreams import Application, message_context
from quixstreams.models import TopicConfig

PARTITIONS = 3
STALL_S = 60


def end_offsets(brokers: str, topic: str) -> dict:
    """The last offset of each non-empty partition, read once everything is produced."""
    probe = Consumer({"bootstrap.servers": brokers, "group.id": f"{topic}-probe"})
    try:
        ends = {}
        for p in range(PARTITIONS):
            _, high = probe.get_watermark_offsets(TopicPartition(topic, p), timeout=30)
            if high > 0:
                ends[p] = high - 1
        return ends
    finally:
        probe.close()


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
        config=TopicConfig(num_partitions=PARTITIONS, replication_factor=1),
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
    # Done is every partition read to its end, not a count: a rebalance redelivers messages.
    unread = end_offsets(brokers, trades_topic.name)

    consumed = 0
    candles = 0
    finished = None
    stalled = False

    def count_trade(_trade: dict) -> None:
        nonlocal consumed, finished
        consumed += 1
        ctx = message_context()
        if unread.get(ctx.partition, -1) <= ctx.offset:
            unread.pop(ctx.partition, None)
            if not unread and finished is None:
                finished = time.perf_counter()
                app.stop()

    def watchdog() -> None:
        nonlocal stalled
        seen = -1
        while finished is None:
            time.sleep(STALL_S)
            if finished is None and consumed == seen:
                stalled = True
                app.stop()
                return
            seen = consumed

    threading.Thread(target=watchdog, daemon=True).start()

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
    seconds = (finished or time.perf_counter()) - started
    print(
        json.dumps(
            {
                "complete": finished is not None,
                "stalled": stalled,
                "consumed": consumed,
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
