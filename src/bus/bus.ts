/**
 * Running the pipeline over Kafka: the trades stage publishes what a source produces, the candles
 * and features stages consume, and the predict stage (./predict_stage.ts) turns feature rows into
 * predictions. With `--stage all` one process runs the first three over the broker.
 */
import { reportStages } from "./stage_progress.ts";
import type { Admin, Kafka } from "kafkajs";
import type { BusConfig } from "../config.ts";
import type { Window } from "../domain/candle.ts";
import type { Trade } from "../domain/trade.ts";
import type { FeatureStores } from "../stores/feature_stores.ts";
import { sleep, whenAborted } from "../util/abortable.ts";
import type { Logger } from "../util/log.ts";
import { encode, tradeMessages } from "./codec.ts";
import { runStage, type StageRun } from "./consumer_stage.ts";
import { BusUnavailableError, connectWithin, createKafka, disconnectSoon, ensureTopics } from "./kafka.ts";
import { BusProducer } from "./producer.ts";
import { type PredictSettings, predictSettings, startPredictStage } from "./predict_stage.ts";
import { candlesStage, featuresStage } from "./stages.ts";
import { type TopicName, topicNames, type Topics } from "./topics.ts";

export interface Bus {
  kafka: Kafka;
  admin: Admin;
  producer: BusProducer;
  topics: Topics;
  groupPrefix: string;
  close(): Promise<void>;
}

/**
 * Connects to the cluster and creates the topics of `streams` (and their DLQs) that are missing: by
 * default the trade pipeline's; `news` passes its own.
 */
export async function openBus(
  cfg: Pick<BusConfig, "brokers" | "busDeadlineMs" | "topicPrefix" | "partitions">,
  log: Logger,
  signal?: AbortSignal,
  streams: readonly TopicName[] = ["trades", "candles", "features", "predictions"],
): Promise<Bus> {
  const kafka = createKafka({ brokers: cfg.brokers, deadlineMs: cfg.busDeadlineMs, log });
  const admin = kafka.admin();
  await connectWithin("connecting", () => admin.connect(), {
    deadlineMs: cfg.busDeadlineMs,
    log,
    signal,
    brokers: cfg.brokers,
  });
  const topics = topicNames(cfg.topicPrefix);
  const created = streams.map((s) => topics[s]);
  const others = await ensureTopics(admin, created, cfg.partitions);
  if (others.length > 0) {
    const counts = new Map<number, string[]>();
    for (const o of others) counts.set(o.partitions, [...(counts.get(o.partitions) ?? []), o.topic]);
    const have = [...counts].map(([n, ts]) =>
      `${ts.sort().join(", ")} ${ts.length === 1 ? "has" : "have"} ${n}`
    );
    log.warn(
      `${
        have.join("; ")
      } partitions, not the ${cfg.partitions} of --partitions, which applies to topics a task ` +
        `creates: existing topics keep theirs. To scale out, run at most that many consumers per stage, or ` +
        `start over under another --topic-prefix.`,
    );
  }
  const producer = await BusProducer.connect(kafka, { deadlineMs: cfg.busDeadlineMs, log, signal });
  log.info(`Kafka at ${cfg.brokers.join(",")}: topics ${created.join(", ")} (+ .dlq)`);
  return {
    kafka,
    admin,
    producer,
    topics,
    groupPrefix: cfg.topicPrefix,
    async close() {
      await producer.disconnect();
      await disconnectSoon(admin);
    },
  };
}

/** The trades stage's hand-off: trades keyed by pair, and an `end` per pair after a bounded history. */
export function tradesPublisher(
  bus: Bus,
): { trades(t: readonly Trade[]): Promise<void>; end(pairs: string[]): Promise<void> } {
  return {
    trades: (trades) => bus.producer.send(bus.topics.trades, tradeMessages(trades)),
    end: (pairs) =>
      bus.producer.send(
        bus.topics.trades,
        pairs.map((pair) => ({ key: pair, value: encode({ type: "end", data: { pair } }) })),
      ),
  };
}

export interface ConsumerStagesOptions {
  dataDir: string;
  windows: readonly Window[];
  graceMs: number;
  /** Needed when the features stage runs. */
  stores?: FeatureStores | undefined;
  deadlineMs: number;
  log: Logger;
  signal?: AbortSignal;
}

/** Starts the candles and/or features stage. */
export async function startConsumerStages(
  bus: Bus,
  which: readonly ("candles" | "features")[],
  options: ConsumerStagesOptions,
): Promise<StageRun[]> {
  const runs: StageRun[] = [];
  const common = {
    dataDir: options.dataDir,
    dlq: bus.producer,
    deadlineMs: options.deadlineMs,
    log: options.log,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  if (which.includes("candles")) {
    const spec = candlesStage(bus.topics, bus.groupPrefix, {
      windows: options.windows,
      graceMs: options.graceMs,
    }, bus.producer);
    runs.push(await runStage(bus.kafka, spec, common));
  }
  if (which.includes("features")) {
    if (!options.stores) throw new Error("the features stage needs the feature stores");
    runs.push(
      await runStage(
        bus.kafka,
        featuresStage(bus.topics, bus.groupPrefix, options.stores, bus.producer),
        common,
      ),
    );
  }
  return runs;
}

/** Consumer lag of a group on a topic: messages not yet committed, summed over partitions. */
export async function lag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map(
    (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset === "-1" ? "0" : p.offset)]),
  );
  let total = 0n;
  for (const e of ends) total += BigInt(e.high) - (done.get(e.partition) ?? 0n);
  return Number(total);
}

/** A consumer stage to wait for: its group, the topic it reads, and what that topic's messages are. */
export interface Drained {
  group: string;
  topic: string;
  what: string;
}

/**
 * Waits until the consumer stages (by default candles and features) have consumed everything
 * produced so far. One look at the lags, read in pipeline order, is enough: a stage commits an
 * offset only after what it made of the message is acknowledged on the next topic, so when the
 * first stage's lag reads zero, everything it will ever send the second is already there to be
 * counted. Broker errors are waited out, up to `deadlineMs` without an answer.
 */
export async function waitForCatchUp(
  bus: Bus,
  log: Logger,
  deadlineMs: number,
  signal?: AbortSignal,
  stages: readonly Drained[] = [
    { group: `${bus.groupPrefix}candles-stage`, topic: bus.topics.trades, what: "trades" },
    { group: `${bus.groupPrefix}features-stage`, topic: bus.topics.candles, what: "candles" },
  ],
): Promise<void> {
  let shown = 0;
  let answered = Date.now();
  for (;;) {
    const lags: number[] = [];
    try {
      for (const s of stages) lags.push(await lag(bus.admin, s.group, s.topic));
      answered = Date.now();
    } catch (e) {
      if (Date.now() - answered > deadlineMs) {
        throw new BusUnavailableError(
          `cannot read consumer lag for ${Math.round(deadlineMs / 1000)} s: ${(e as Error).message}`,
        );
      }
      log.warn(`cannot read consumer lag (${(e as Error).message}); retrying`);
      await sleep(1000, signal);
      continue;
    }
    if (lags.every((n) => n === 0)) return;
    if (Date.now() - shown > 5000) {
      shown = Date.now();
      const left = stages.map((s, i) => `${lags[i]} ${s.what}`).join(" and ");
      log.info(`waiting for the stages: ${left} messages not yet consumed`);
    }
    await sleep(100, signal);
  }
}

export type Publisher = ReturnType<typeof tradesPublisher>;

/**
 * Runs a task's part of the bus pipeline per `--stage`: `produce` (the task's source into the
 * trades topic) for `trades` or `all`; the consumer stages for `candles`, `features` or `all`;
 * the predict stage for `predict` (with `cfg`'s predict settings, which only `ingest` has).
 * A bounded `produce` with `all` waits for the consumer stages to finish its trades; otherwise the
 * consumer stages run until the signal aborts.
 */
export async function runOnBus(
  cfg:
    & BusConfig
    & { dataDir: string; windows: readonly Window[]; graceMs: number }
    & Partial<PredictSettings>,
  openStores: () => Promise<FeatureStores>,
  produce: (publish: Publisher) => Promise<void>,
  options: { bounded: boolean; log: Logger; signal: AbortSignal },
): Promise<void> {
  const { log, signal } = options;
  const predicts = cfg.stage === "predict" ? predictSettings(cfg) : undefined;
  const bus = await openBus(cfg, log, signal);
  const consumers: ("candles" | "features")[] = cfg.stage === "all"
    ? ["candles", "features"]
    : cfg.stage === "candles" || cfg.stage === "features"
    ? [cfg.stage]
    : [];
  const stores = consumers.includes("features") || predicts ? await openStores() : undefined;
  let runs: StageRun[] = [];
  try {
    runs = await startConsumerStages(bus, consumers, {
      dataDir: cfg.dataDir,
      windows: cfg.windows,
      graceMs: cfg.graceMs,
      stores,
      deadlineMs: cfg.busDeadlineMs,
      log,
      signal,
    });
    if (predicts && stores) {
      const options = { dataDir: cfg.dataDir, deadlineMs: cfg.busDeadlineMs, log, signal };
      runs.push(await startPredictStage(bus, stores, predicts, options));
    }
    const failed = Promise.race(runs.map((r) => r.done.then(() => new Promise<never>(() => {}))));
    if (cfg.stage === "trades" || cfg.stage === "all") {
      await Promise.race([produce(tradesPublisher(bus)), failed]);
      if (options.bounded && cfg.stage === "all" && !signal.aborted) {
        await Promise.race([waitForCatchUp(bus, log, cfg.busDeadlineMs, signal), failed]);
      }
    } else {
      const quiet = reportStages(runs, log);
      try {
        await Promise.race([whenAborted(signal), failed]);
      } finally {
        quiet();
      }
    }
  } finally {
    await Promise.all(runs.map((r) => r.stop()));
    for (const r of runs) log.info(`stage stopped: ${JSON.stringify(r.stats)}`);
    await bus.close();
    stores?.close();
  }
}

/** True when this process runs only consumer stages (`--stage candles|features|predict`), with no source. */
export function consumersOnly(cfg: BusConfig): boolean {
  return cfg.bus === "kafka" &&
    (cfg.stage === "candles" || cfg.stage === "features" || cfg.stage === "predict");
}

/** Runs the consumer stage(s) of `--stage` until the signal aborts; the task's source flags are unused. */
export function runConsumersOnly(
  cfg:
    & BusConfig
    & { dataDir: string; windows: readonly Window[]; graceMs: number }
    & Partial<PredictSettings>,
  openStores: () => Promise<FeatureStores>,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  return runOnBus(cfg, openStores, () => Promise.resolve(), { bounded: false, log, signal });
}
