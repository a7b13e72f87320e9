/**
 * A consumer stage: one consumer group reading one topic, applying a pure step to each message
 * with per-partition state, writing the outputs, then committing. Delivery is at least once; the
 * sinks are idempotent (store upserts by key, downstream stages dropping what they have seen).
 *
 * State is checkpointed per partition in the stage's data dir, together with the offset it
 * covers, after the outputs are written and before the offset is committed. A message at or
 * below the checkpoint's offset is skipped (it was applied before a crash, or a lost membership,
 * that came before the commit). A partition the stage has no checkpoint for, or a stale one
 * (another member moved the committed offset on), is rebuilt by replaying it from its earliest
 * retained offset.
 *
 * A fetched batch is applied in slices bounded in messages and in stepping time, each written,
 * checkpointed and committed before the next, with heartbeats while a slice is written: a member
 * never goes silent for long. A member that loses its place in the group anyway rejoins
 * (./group_member.ts) and resumes from the checkpoints.
 *
 * A message that cannot be decoded goes to `<topic>.dlq` with the error and its origin; the stage
 * goes on.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import { type Logger, silent } from "../util/log.ts";
import { type BusMessage, decode, DecodeError } from "./codec.ts";
import { GROUP_TIMEOUTS, type GroupTimeouts, joinGroup } from "./group_member.ts";
import { withHeartbeats } from "./heartbeating.ts";
import { connectWithin } from "./kafka.ts";
import type { BusProducer, OutMessage } from "./producer.ts";
import { stageCheckpoints } from "./stage_checkpoints.ts";
import { dlqTopic } from "./topics.ts";

export interface StageSpec<S, O> {
  /** For logs and file names: `candles`, `features`. */
  name: string;
  groupId: string;
  topic: string;
  kind: "trade" | "candle";
  initial(): S;
  /** Applies one message to the partition's state; returns what it produced. Pure. */
  step(state: S, message: BusMessage): O[];
  /** Writes a slice's outputs; offsets are committed only after it resolves. */
  write(outputs: O[]): Promise<void>;
}

export interface StageStats {
  messages: number;
  skipped: number;
  dlq: number;
  /** Slices written and committed. */
  batches: number;
  rebuilds: number;
  /** Times the stage joined the group again as a new member after losing its place. */
  rejoins: number;
}

export interface StageOptions {
  dataDir: string;
  dlq: BusProducer;
  /** Give up after this long without progress or an answer from Kafka, ms. @default 60000 */
  deadlineMs?: number;
  timeouts?: Partial<GroupTimeouts> | undefined;
  /**
   * Most messages applied before a slice is written. Large enough that a slice's fixed costs (a send,
   * a checkpoint, a commit) stay small beside its messages; the time bound keeps it short. @default 20000
   */
  sliceMessages?: number;
  /** Longest time spent stepping messages before a slice is written, ms. @default 1000 */
  sliceMs?: number;
  log?: Logger | undefined;
  signal?: AbortSignal;
}

interface PartitionState<S> {
  /** Last offset applied to `state`; -1 before any. */
  offset: bigint;
  state: S;
  /** Whether the checkpoint has been checked against where the group resumes this partition. */
  checked: boolean;
}

export interface StageRun {
  stats: StageStats;
  /** Resolves when the stage stops; rejects if the cluster stayed unreachable past the deadline. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function runStage<S, O>(
  kafka: Kafka,
  spec: StageSpec<S, O>,
  options: StageOptions,
): Promise<StageRun> {
  const log = options.log ?? silent;
  const deadlineMs = options.deadlineMs ?? 60_000;
  const heartbeatMs = options.timeouts?.heartbeatMs ?? GROUP_TIMEOUTS.heartbeatMs;
  const sliceMessages = options.sliceMessages ?? 20_000;
  const sliceMs = options.sliceMs ?? 1000;
  const admin = kafka.admin();
  await connectWithin(`${spec.name} stage`, () => admin.connect(), {
    deadlineMs,
    log,
    signal: options.signal,
  });

  const stats: StageStats = { messages: 0, skipped: 0, dlq: 0, batches: 0, rebuilds: 0, rejoins: 0 };
  const partitions = new Map<number, PartitionState<S>>();
  const checkpoints = stageCheckpoints<S>(options.dataDir, spec.groupId, spec.topic);

  const earliest = async (partition: number): Promise<bigint> => {
    const offsets = await admin.fetchTopicOffsets(spec.topic);
    return BigInt(offsets.find((o) => o.partition === partition)?.low ?? "0");
  };
  const rebuild = async (consumer: Consumer, partition: number, why: string) => {
    const low = await earliest(partition);
    stats.rebuilds++;
    log.info(`${spec.name} stage: partition ${partition}: ${why}; rebuilding its state from offset ${low}`);
    partitions.set(partition, { offset: low - 1n, state: spec.initial(), checked: true });
    consumer.seek({ topic: spec.topic, partition, offset: low.toString() });
  };

  /** The partition's state, ready for a batch starting at `first`; undefined once a rebuild began. */
  const prepare = async (consumer: Consumer, partition: number, first: bigint) => {
    let ps = partitions.get(partition);
    if (ps === undefined) {
      const saved = await checkpoints.load(partition);
      if (saved === null) {
        if (first > await earliest(partition)) {
          return void await rebuild(consumer, partition, "no checkpoint here");
        }
        ps = { offset: first - 1n, state: spec.initial(), checked: true };
      } else ps = { ...saved, checked: false };
      partitions.set(partition, ps);
    }
    if (!ps.checked) {
      ps.checked = true;
      if (ps.offset + 1n < first) {
        const why = `checkpoint at ${ps.offset} is behind the group's offset ${first}`;
        return void await rebuild(consumer, partition, why);
      }
    }
    return ps;
  };

  /** Applies messages from `start` until the slice is full; returns where the next slice starts. */
  const applySlice = (
    ps: PartitionState<S>,
    partition: number,
    messages: KafkaMessage[],
    start: number,
  ): { next: number; outputs: O[]; dead: OutMessage[] } => {
    const outputs: O[] = [];
    const dead: OutMessage[] = [];
    const began = performance.now();
    let i = start;
    for (; i < messages.length; i++) {
      if (i > start && (i - start >= sliceMessages || performance.now() - began > sliceMs)) break;
      const m = messages[i] as KafkaMessage;
      const offset = BigInt(m.offset);
      if (offset <= ps.offset) {
        stats.skipped++;
        continue;
      }
      ps.offset = offset;
      let message: BusMessage;
      try {
        message = decode(m.value?.toString() ?? null, spec.kind);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        stats.dlq++;
        log.warn(
          `${spec.name} stage: ${spec.topic}/${partition}@${m.offset}: ${e.message}; sent to ${
            dlqTopic(spec.topic)
          }`,
        );
        dead.push({
          key: m.key?.toString() ?? "",
          value: JSON.stringify({
            error: e.message,
            origin: { topic: spec.topic, partition, offset: m.offset },
            key: m.key?.toString() ?? null,
            value: m.value?.toString() ?? null,
          }),
        });
        continue;
      }
      stats.messages++;
      for (const o of spec.step(ps.state, message)) outputs.push(o);
    }
    return { next: i, outputs, dead };
  };

  const eachBatch = async (
    { batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload,
    consumer: Consumer,
  ) => {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const partition = batch.partition;
    const ps = await prepare(consumer, partition, BigInt((batch.messages[0] as KafkaMessage).offset));
    if (!ps) return;
    for (let start = 0; start < batch.messages.length;) {
      if (!isRunning() || isStale()) return;
      // Roll back to this if writing fails, so a retried slice applies its messages once.
      const before = { offset: ps.offset, state: structuredClone(ps.state) };
      try {
        const slice = applySlice(ps, partition, batch.messages, start);
        start = slice.next;
        await withHeartbeats(
          async () => {
            if (slice.dead.length) await options.dlq.send(dlqTopic(spec.topic), slice.dead);
            await spec.write(slice.outputs);
            await checkpoints.save(partition, ps);
          },
          heartbeat,
          heartbeatMs,
        );
      } catch (e) {
        ps.offset = before.offset;
        ps.state = before.state;
        throw e;
      }
      // A refused commit (the group forgot this member) crashes the consumer and the member
      // rejoins; the checkpoint already covers this slice, so it is not applied twice.
      await consumer.commitOffsets([{ topic: spec.topic, partition, offset: (ps.offset + 1n).toString() }]);
      // Moves the fetch position on; without it the same batch would be fetched again.
      resolveOffset(ps.offset.toString());
      stats.batches++;
      await heartbeat();
    }
  };

  const member = await joinGroup(kafka, {
    name: spec.name,
    groupId: spec.groupId,
    topic: spec.topic,
    timeouts: options.timeouts,
    deadlineMs,
    log,
    signal: options.signal,
    eachBatch,
    onMember(rejoin) {
      // A new member resumes from the checkpoints, checked again against the group's offsets.
      partitions.clear();
      if (rejoin) stats.rejoins++;
    },
    onAssigned(assigned) {
      const mine = new Set(assigned);
      for (const [p, ps] of partitions) {
        if (!mine.has(p)) partitions.delete(p);
        // Another member may have had the partition in between.
        else ps.checked = false;
      }
    },
  }).catch(async (e) => {
    await admin.disconnect();
    throw e;
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      await member.stop();
      await admin.disconnect();
    })();
  options.signal?.addEventListener("abort", () => void stop(), { once: true });
  return { stats, done: member.done, stop };
}
