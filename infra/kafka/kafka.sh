#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft, no ZooKeeper) for development and tests, from the
# Maven Central jars in pom.xml.
#   kafka.sh jars   fetch the jars into $KAFKA_CACHE/libs (needs Java 17+ and Maven)
#   kafka.sh up     format storage if new, start the broker, wait until it accepts connections
#   kafka.sh down   stop it
#   kafka.sh status
#   kafka.sh remove-members GROUP   make the broker forget every member of a consumer group
# Settings: KAFKA_PORT (default 9092; the controller listens on the next port),
# KAFKA_CACHE (default .cache/kafka in the repository), KAFKA_DATA (default $KAFKA_CACHE/data).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${KAFKA_CACHE:-$root/.cache/kafka}"
libs="$cache/libs"
port="${KAFKA_PORT:-9092}"
data="${KAFKA_DATA:-$cache/data-$port}"
pidfile="$data/broker.pid"

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "kafka: $1 is not installed ($2)" >&2; exit 3; }
}

jars() {
  if [ -f "$libs/.complete" ]; then return; fi
  need java "Java 17 or newer runs the broker"
  need mvn "Maven fetches the broker's jars from Maven Central"
  echo "kafka: fetching the broker's jars from Maven Central into $libs" >&2
  rm -rf "$libs"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$libs" -DincludeScope=runtime >&2
  touch "$libs/.complete"
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

listening() {
  (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

up() {
  jars
  need java "Java 17 or newer runs the broker"
  if running; then echo "KAFKA_BROKERS=127.0.0.1:$port"; return; fi
  if listening; then
    echo "kafka: 127.0.0.1:$port is already taken by another process (another broker? KAFKA_PORT picks a port)" >&2
    exit 1
  fi
  mkdir -p "$data"
  cat >"$data/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$((port + 1))
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data/logs
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
  if [ ! -f "$data/logs/meta.properties" ]; then
    local id
    id=$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    java -cp "$libs/*" kafka.tools.StorageTool format -t "$id" -c "$data/server.properties" --standalone >"$data/format.log" 2>&1 \
      || { cat "$data/format.log" >&2; exit 1; }
  fi
  nohup java -Xms256m -Xmx768m -cp "$libs/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    kafka.Kafka "$data/server.properties" >"$data/broker.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if listening; then echo "KAFKA_BROKERS=127.0.0.1:$port"; return; fi
    if ! running; then echo "kafka: the broker exited; see $data/broker.log" >&2; tail -20 "$data/broker.log" >&2; exit 1; fi
    sleep 0.25
  done
  echo "kafka: the broker did not listen on 127.0.0.1:$port within 30 s; see $data/broker.log" >&2
  exit 1
}

down() {
  if running; then
    local pid
    pid=$(cat "$pidfile")
    kill "$pid"
    for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    echo "kafka: stopped the broker on 127.0.0.1:$port" >&2
  else
    echo "kafka: no broker running on 127.0.0.1:$port" >&2
  fi
  rm -f "$pidfile"
}

remove_members() {
  [ -n "${1:-}" ] || { echo "usage: kafka.sh remove-members GROUP" >&2; exit 2; }
  need java "Java 17 or newer runs the admin client"
  java -cp "$libs/*" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$here/RemoveGroupMembers.java" "127.0.0.1:$port" "$1"
}

case "${1:-}" in
  jars) jars ;;
  up) up ;;
  down) down ;;
  remove-members) remove_members "${2:-}" ;;
  status) if running; then echo "running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; else echo "not running"; exit 1; fi ;;
  *) echo "usage: kafka.sh jars|up|down|status|remove-members GROUP" >&2; exit 2 ;;
esac
