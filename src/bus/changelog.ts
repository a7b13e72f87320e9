/**
 * A consumer stage's changelog: each partition's checkpoint (its stages' state and the last offset
 * applied to it) kept in a compacted topic, `<prefix><stage>.state`, as Kafka Streams keeps its
 * state stores. A stage that owns a partition it has no local checkpoint for (a new machine, a lost
 * data dir, a partition a rebalance moved) restores the state from the topic instead of replaying
 * its input from the earliest offset, which retention may have deleted.
 *
 * Each record is keyed by the input partition and written to the state topic's partition of the
 * same number, so a partition of the state topic holds one input partition's checkpoints and its
 * last record is the latest: a restore reads that one record. Compaction keeps the latest record
 * per key, and never touches the active segment, so the last record stays. The value is JSON:
 * `{"v":1,"topic":"trades","partition":0,"offset":"1234","at":1767225600000,"state":{...}}`.
 */
import type { Admin, Kafka } from "kafkajs";
import { backoffDelay } from "../sources/backoff.ts";
import { onAbort, sleep } from "../util/abortable.ts";
import type { Logger } from "../util/log.ts";
import { BusUnavailableError, connectWithin, createTopicsReady, FETCH_WAIT_MS } from "./kafka.ts";
import type { BusProducer } from "./producer.ts";
import type { Checkpoint } from "./stage_checkpoints.ts";

export const STATE_VERSION = 1;

/** A checkpoint as the changelog holds it. */
export interface StateRecord<S> extends Checkpoint<S> {
  /** When it was checkpointed, epoch ms. */
  at: number;
}

/** The last record of a state topic's partition. */
export interface LastRecord {
  /** Its offset in the state topic. */
  offset: bigint;
  value: string | null;
}

/**
 * The state topic of the stage whose group is `groupId`: `<prefix>candles-stage` keeps its state in
 * `<prefix>candles.state`.
 */
export function stateTopic(groupId: string): string {
  return `${groupId.replace(/-stage$/, "")}.state`;
}

/**
 * Topic settings: compacted; records up to 16 MiB, since one holds every open window and indicator
 * history of a partition's pairs; segments rolled at 64 MiB or hourly, so the checkpoints of a busy
 * stage are compacted within the hour rather than after the default 1 GiB or week.
 */
const STATE_TOPIC_CONFIG = [
  { name: "cleanup.policy", value: "compact" },
  { name: "max.message.bytes", value: String(16 * 1024 * 1024) },
  { name: "segment.bytes", value: String(64 * 1024 * 1024) },
  { name: "segment.ms", value: String(60 * 60 * 1000) },
];

/** From the metadata: offsets are not served until a new topic's leaders have settled. */
async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return topics[0]?.partitions.length ?? 0;
}

/**
 * The topic's offsets per partition. kafkajs gives up at once when a partition's leader is still
 * settling, as it is for a moment after the topic is created, so that is waited out here.
 */
export async function topicOffsets(
  admin: Admin,
  topic: string,
): Promise<{ partition: number; high: string; low: string }[]> {
  for (let attempt = 0;; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (e) {
      if (attempt >= 8 || !/leader/i.test((e as Error).message)) throw e;
      await sleep(backoffDelay(attempt, { baseMs: 100, maxMs: 1000 }));
    }
  }
}

/** Creates the state topic with `partitions` partitions if it is missing, or adds the ones it lacks. */
export async function ensureStateTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  if (!(await admin.listTopics()).includes(topic)) {
    // Nothing, not an error, when another member created it first.
    await createTopicsReady(admin, [{ topic, numPartitions: partitions, configEntries: STATE_TOPIC_CONFIG }]);
    return;
  }
  if (await partitionCount(admin, topic) >= partitions) return;
  try {
    await admin.createPartitions({ topicPartitions: [{ topic, count: partitions }] });
  } catch (e) {
    // Another member may have added them meanwhile.
    if (await partitionCount(admin, topic) < partitions) throw e;
  }
}

export function encodeState<S>(topic: string, partition: number, record: StateRecord<S>): string {
  return JSON.stringify({
    v: STATE_VERSION,
    topic,
    partition,
    offset: record.offset.toString(),
    at: record.at,
    state: record.state,
  });
}

/** Decodes a state record; throws an error saying what is wrong with it. */
export function decodeState<S>(value: string | null): StateRecord<S> & { topic: string; partition: number } {
  if (value === null) throw new RangeError("the record has no value");
  const r = JSON.parse(value) as Record<string, unknown>;
  if (r.v !== STATE_VERSION) {
    throw new RangeError(`state version ${JSON.stringify(r.v)} is not ${STATE_VERSION}`);
  }
  if (typeof r.offset !== "string" || !/^-?\d+$/.test(r.offset)) {
    throw new RangeError("the record has no offset");
  }
  if (typeof r.topic !== "string" || typeof r.partition !== "number" || typeof r.at !== "number") {
    throw new RangeError("the record does not name its topic, partition and time");
  }
  if (typeof r.state !== "object" || r.state === null) throw new RangeError("the record has no state");
  return { topic: r.topic, partition: r.partition, offset: BigInt(r.offset), at: r.at, state: r.state as S };
}

export interface ReadOptions {
  /** The partitions to read; all by default. */
  partitions?: readonly number[];
  /** Give up after this long, ms. */
  deadlineMs: number;
  log: Logger;
  signal?: AbortSignal | undefined;
}

/**
 * The last record of each (non-empty) partition of `topic`. kafkajs reads only as a member of a
 * consumer group, so a group of one is made for the read, sought to each partition's last offset,
 * and deleted after.
 */
export async function readLast(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  options: ReadOptions,
): Promise<Map<number, LastRecord>> {
  const found = new Map<number, LastRecord>();
  const last = new Map<number, bigint>();
  for (const o of await topicOffsets(admin, topic)) {
    if (options.partitions && !options.partitions.includes(o.partition)) continue;
    if (BigInt(o.high) > BigInt(o.low)) last.set(o.partition, BigInt(o.high) - 1n);
  }
  if (last.size === 0) return found;
  const groupId = `${topic}.reader-${crypto.randomUUID().slice(0, 8)}`;
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: FETCH_WAIT_MS,
    retry: { retries: 3 },
  });
  const { promise: read, resolve, reject } = Promise.withResolvers<void>();
  // Settled by whichever comes first; handled from here on, so a late failure is not unhandled.
  read.catch(() => {});
  const done = new AbortController();
  onAbort(options.signal, () => reject(options.signal?.reason), { signal: done.signal });
  const timer = setTimeout(
    () =>
      reject(
        new BusUnavailableError(`reading ${topic}: no answer in ${Math.round(options.deadlineMs / 1000)} s`),
      ),
    options.deadlineMs,
  );
  const reached = new Set<number>();
  try {
    await connectWithin(`reading ${topic}`, () => consumer.connect(), options);
    consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        const end = last.get(batch.partition);
        if (end === undefined) return Promise.resolve();
        for (const m of batch.messages) {
          const offset = BigInt(m.offset);
          // A fetch from before the seek below took hold starts at the beginning.
          if (offset > end) break;
          found.set(batch.partition, { offset, value: m.value?.toString() ?? null });
          if (offset === end) reached.add(batch.partition);
        }
        if (reached.size === last.size) resolve();
        return Promise.resolve();
      },
    });
    for (const [partition, end] of last) consumer.seek({ topic, partition, offset: end.toString() });
    await read;
    return found;
  } finally {
    clearTimeout(timer);
    done.abort();
    await consumer.disconnect().catch(() => {});
    // It committed nothing; deleting it leaves no trace of the read in the cluster.
    await admin.deleteGroups([groupId]).catch(() => {});
  }
}

export interface Changelog<S> {
  /** The state topic. */
  readonly topic: string;
  /** Writes the partition's checkpoint, made at `at` (epoch ms). */
  write(partition: number, checkpoint: Checkpoint<S>, at: number): Promise<void>;
  /** The partition's latest checkpoint in the topic, or null when it holds none (or none readable). */
  latest(partition: number): Promise<StateRecord<S> | null>;
}

export interface ChangelogOptions {
  /** The stage's group: the state topic is named after it. */
  groupId: string;
  /** The topic the stage consumes. */
  topic: string;
  deadlineMs: number;
  log: Logger;
  signal?: AbortSignal | undefined;
}

/**
 * Opens a stage's changelog, creating its state topic (as many partitions as the input topic) if
 * it is missing. Records go through `producer`, with its retries and deadline.
 *
 * @example
 * ```ts
 * const changelog = await openChangelog(kafka, admin, producer, { groupId, topic, deadlineMs, log });
 * await changelog.write(0, { offset: 41n, state }, Date.now());
 * (await changelog.latest(0))?.offset; // 41n
 * ```
 */
export async function openChangelog<S>(
  kafka: Kafka,
  admin: Admin,
  producer: BusProducer,
  options: ChangelogOptions,
): Promise<Changelog<S>> {
  const topic = stateTopic(options.groupId);
  let partitions: number;
  try {
    partitions = await partitionCount(admin, options.topic);
  } catch (e) {
    throw new Error(`${options.topic}: cannot read its partitions: ${(e as Error).message}`, { cause: e });
  }
  await ensureStateTopic(admin, topic, partitions);
  return {
    topic,
    async write(partition, checkpoint, at) {
      // The input topic was given more partitions since the stage started.
      if (partition >= partitions) {
        await ensureStateTopic(admin, topic, partition + 1);
        partitions = partition + 1;
      }
      await producer.send(topic, [{
        key: String(partition),
        partition,
        value: encodeState(options.topic, partition, { ...checkpoint, at }),
      }]);
    },
    async latest(partition) {
      const last = (await readLast(kafka, admin, topic, { ...options, partitions: [partition] })).get(
        partition,
      );
      if (last === undefined) return null;
      try {
        const record = decodeState<S>(last.value);
        if (record.topic !== options.topic || record.partition !== partition) {
          throw new RangeError(`it is the state of ${record.topic}/${record.partition}`);
        }
        return { offset: record.offset, at: record.at, state: record.state };
      } catch (e) {
        options.log.warn(
          `${topic}/${partition}@${last.offset}: not a usable state record (${(e as Error).message})`,
        );
        return null;
      }
    },
  };
}
