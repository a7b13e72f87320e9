/**
 * The bus gauges of `/metrics` under `serve --bus kafka` (src/serve/bus_metrics.ts), without a
 * broker: how a status read becomes gauge lines, how the background poller keeps the last answer,
 * drops it when the cluster stops answering and logs that once, and how the lines reach /metrics
 * through the app's hook. Over a real broker: tests/integration/kafka_serve_metrics_test.ts.
 */
import { assert, assertEquals } from "../assert.ts";
import type { PartitionStatus } from "../../src/bus/stage_status.ts";
import { serveConfig } from "../../src/config.ts";
import { createApp } from "../../src/serve/app.ts";
import { busGaugeLines, BusStatusPoller } from "../../src/serve/bus_metrics.ts";
import { BUS_GAUGES, METRIC_NAMES } from "../../src/serve/metric_names.ts";
import type { Logger } from "../../src/util/log.ts";
import {
  FixedPredictor,
  MemoryFeatureStore,
  MemoryPredictionStore,
  MemoryRegistry,
} from "../memory_ports.ts";

const NOW = Date.UTC(2026, 0, 1, 12);

function row(stage: string, partition: number, more: Partial<PartitionStatus> = {}): PartitionStatus {
  return {
    stage,
    group: `p.${stage}-stage`,
    topic: stage === "candles" ? "p.trades" : "p.candles",
    partition,
    committed: null,
    end: 0,
    lag: 0,
    stateTopic: `p.${stage}.state`,
    stateOffset: null,
    checkpointAt: null,
    checkpointFrom: null,
    ...more,
  };
}

const ROWS = [
  row("candles", 0, {
    committed: 5321,
    end: 5400,
    lag: 79,
    stateOffset: 12,
    checkpointAt: new Date(NOW - 2500).toISOString(),
    checkpointFrom: "changelog",
  }),
  row("features", 1, { end: 7, lag: 7 }),
];

/** The samples of `lines` (no HELP or TYPE lines). */
const samples = (lines: readonly string[]) => lines.filter((l) => !l.startsWith("#"));

Deno.test("busGaugeLines: a gauge per stage and partition, nothing where bus status prints '-', ages from now", () => {
  const lines = busGaugeLines({ up: true, rows: ROWS }, NOW);
  const candles = 'stage="candles",group="p.candles-stage",topic="p.trades",partition="0"';
  const features = 'stage="features",group="p.features-stage",topic="p.candles",partition="1"';
  assertEquals(samples(lines), [
    "bus_up 1",
    `bus_committed_offset{${candles}} 5321`,
    `bus_end_offset{${candles}} 5400`,
    `bus_end_offset{${features}} 7`,
    `bus_consumer_lag{${candles}} 79`,
    `bus_consumer_lag{${features}} 7`,
    `bus_state_offset{${candles}} 12`,
    `bus_checkpoint_age_seconds{${candles}} 2.5`,
  ]);
  // Every gauge is documented, with its HELP and TYPE lines even when it has no sample.
  for (const name of Object.keys(BUS_GAUGES)) {
    assert(METRIC_NAMES.includes(name), name);
    assert(lines.includes(`# TYPE ${name} gauge`), name);
  }
  assertEquals(samples(busGaugeLines({ up: false, rows: [] }, NOW)), ["bus_up 0"]);
});

interface Logged {
  log: Logger;
  lines: string[];
}

function recorder(): Logged {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => lines.push(`${level} ${m}`);
  return { lines, log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") } };
}

Deno.test("the poller keeps the last read, drops it while reads fail, and logs an outage once", async () => {
  const answers: (PartitionStatus[] | Error)[] = [
    ROWS,
    new Error("bus status: Kafka unreachable for 2 s: Connection error"),
    new Error("bus status: Kafka unreachable for 2 s: Connection error"),
    new Error("bus status: no answer from Kafka within 2 s"),
    [ROWS[0]!],
  ];
  const given: (readonly PartitionStatus[])[] = [];
  const { log, lines } = recorder();
  const poller = new BusStatusPoller((previous) => {
    given.push(previous);
    const next = answers.shift()!;
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }, { refreshMs: 1000, log, signal: new AbortController().signal, now: () => NOW });

  assertEquals(samples(poller.lines()), ["bus_up 0"], "before the first read");
  await poller.refresh();
  assertEquals(poller.view, { up: true, rows: ROWS });
  assertEquals(samples(poller.lines()), samples(busGaugeLines({ up: true, rows: ROWS }, NOW)));
  for (let i = 0; i < 3; i++) await poller.refresh();
  assertEquals(samples(poller.lines()), ["bus_up 0"]);
  await poller.refresh();
  assertEquals(poller.view, { up: true, rows: [ROWS[0]!] });

  // Each read is given the last good rows (so unchanged checkpoints are not read again), none after a failure.
  assertEquals(given, [[], ROWS, [], [], []]);
  assertEquals(lines.filter((l) => !l.startsWith("debug")), [
    "warn bus status: Kafka unreachable for 2 s: Connection error; " +
    "/metrics shows bus_up 0 and no bus gauges until the cluster answers",
    "info bus status: the cluster answers again",
  ]);
  assertEquals(lines.filter((l) => l.startsWith("debug")).length, 3);
});

Deno.test("the poller reads in the background every refreshMs until its signal aborts", async () => {
  const stop = new AbortController();
  let reads = 0;
  const poller = new BusStatusPoller(() => {
    reads++;
    if (reads === 3) stop.abort();
    return Promise.resolve(ROWS);
  }, { refreshMs: 1, log: recorder().log, signal: stop.signal });
  const loop = poller.start();
  assertEquals(poller.start(), loop, "started once");
  await loop;
  assertEquals(reads, 3);
  assert(poller.view.up);
});

Deno.test("/metrics appends the provider's lines, read on every scrape", async () => {
  let view = { up: true, rows: ROWS };
  const app = createApp({
    online: new MemoryFeatureStore(),
    predictions: new MemoryPredictionStore(),
    registry: new MemoryRegistry(),
    predictors: [new FixedPredictor("BTC/USD", "1m", 1)],
    extraGauges: () => busGaugeLines(view, NOW),
  });
  const scrape = async () => {
    const res = await app.request("http://localhost/metrics");
    assertEquals(res.status, 200);
    return (await res.text()).split("\n");
  };
  const first = await scrape();
  assert(first.includes("bus_up 1"), first.join("\n"));
  assert(first.some((l) => l.startsWith('bus_consumer_lag{stage="candles"') && l.endsWith(" 79")));
  assert(first.some((l) => l.startsWith("model_info{")), "the series gauges stay");
  view = { up: false, rows: [] };
  const second = await scrape();
  assert(second.includes("bus_up 0"));
  assert(!second.some((l) => l.startsWith("bus_consumer_lag{")), second.join("\n"));
});

Deno.test("serve takes the bus flags; without --bus kafka there is nothing to read", () => {
  const c = serveConfig([
    "--bus",
    "kafka",
    "--brokers",
    "k1:9092,k2:9092",
    "--topic-prefix",
    "prod.",
    "--bus-refresh",
    "2",
  ], () => undefined);
  assertEquals(
    [c.bus, c.brokers, c.topicPrefix, c.busRefreshMs, c.busDeadlineMs],
    ["kafka", ["k1:9092", "k2:9092"], "prod.", 2000, 10_000],
  );
  assertEquals(serveConfig([], () => undefined).bus, "embedded");
  let error = "";
  try {
    serveConfig(["--bus-refresh", "0"], () => undefined);
  } catch (e) {
    error = (e as Error).message;
  }
  assertEquals(error, "--bus-refresh: '0' is not a positive number");
});
