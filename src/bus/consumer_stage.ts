/**
 * A consumer stage: one consumer group reading one topic into a pipeline of stages per partition
 * (./partition_pipe.ts), the same stages the embedded pipeline composes (src/stages/):
 *
 * ```ts
 * slices(partition).pipeThrough(dedupe(...)).pipeThrough(candles(...)).pipeTo(publish(...))
 * ```
 *
 * The consumer is the source: it decodes a fetched batch into slices, bounded in messages and in
 * time, and feeds them to the partition's pipeline one at a time. The sink writes a slice's
 * outputs, then the partition's checkpoint (its stages' state and the offset it covers) is saved,
 * in the data dir and in the stage's changelog topic (./changelog.ts), and only then is the offset
 * committed, with heartbeats throughout: a member never goes silent for long. Delivery is at least
 * once; the sinks are idempotent (store upserts by key, downstream stages dropping what they have
 * seen). A member that loses its place in the group anyway rejoins (./group_member.ts) and resumes
 * from the checkpoints.
 *
 * A message at or below the checkpoint's offset is skipped (it was applied before a crash, or a
 * lost membership, that came before the commit). A checkpoint is current when it reaches the
 * group's offset for the partition; a stale one (another member moved the offset on) is not used.
 * A partition resumes from the first current one of: the local checkpoint, the changelog's latest
 * record, and only when neither is, a replay from its earliest retained offset. A pipeline that
 * fails is dropped and started again from the checkpoint.
 *
 * A message that cannot be decoded goes to `<topic>.dlq` with the error and its origin; the stage
 * goes on.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from "kafkajs";
import { type Batch, emptyBatch } from "../stages/batch.ts";
import { onAbort } from "../util/abortable.ts";
import { type Logger, silent } from "../util/log.ts";
import { type ConsumedKind, decode, DecodeError } from "./codec.ts";
import { GROUP_TIMEOUTS, type GroupTimeouts, joinGroup } from "./group_member.ts";
import { openChangelog } from "./changelog.ts";
import { withHeartbeats } from "./heartbeating.ts";
import { connectWithin, disconnectSoon } from "./kafka.ts";
import { PartitionPipe, type PipelineOf } from "./partition_pipe.ts";
import type { BusProducer, OutMessage } from "./producer.ts";
import { type Checkpoint, stageCheckpoints } from "./stage_checkpoints.ts";
import { dlqTopic } from "./topics.ts";

export interface StageSpec<S> {
  /** For logs and file names: `candles`, `features`. */
  name: string;
  groupId: string;
  topic: string;
  /**
   * What the topic carries: a slice of `trade` messages arrives as `trades` (an `end` message
   * closes the slice and names its pair in `ends`), of `candle` messages as `candles`, of
   * `feature` messages as `rows`, of `news` as `news`, of `news_signal` as `signals`.
   */
  kind: ConsumedKind;
  initial(): S;
  /** A partition's pipeline, from its slices to its sink. */
  pipeline: PipelineOf<S>;
}

export interface StageStats {
  messages: number;
  skipped: number;
  dlq: number;
  /** Slices written and committed. */
  batches: number;
  rebuilds: number;
  /** Partitions whose state came from the changelog topic. */
  restores: number;
  /** Times the stage joined the group again as a new member after losing its place. */
  rejoins: number;
}

/** A stage's counts before it has consumed anything. */
export function emptyStats(): StageStats {
  return { messages: 0, skipped: 0, dlq: 0, batches: 0, rebuilds: 0, restores: 0, rejoins: 0 };
}

export interface StageOptions {
  dataDir: string;
  /** The producer of dead letters and of the changelog's records. */
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
  /** Last offset sent down `pipe`; -1 before any. */
  offset: bigint;
  pipe: PartitionPipe<S>;
  /** Whether the checkpoint has been checked against where the group resumes this partition. */
  checked: boolean;
}

export interface StageRun {
  /** The stage's name (`candles`, `features`, `predict`). */
  name: string;
  stats: StageStats;
  /** Resolves when the stage stops; rejects if the cluster stayed unreachable past the deadline. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function runStage<S>(
  kafka: Kafka,
  spec: StageSpec<S>,
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

  const stats = emptyStats();
  const partitions = new Map<number, PartitionState<S>>();
  const checkpoints = stageCheckpoints<S>(options.dataDir, spec.groupId, spec.topic);
  const changelog = await openChangelog<S>(kafka, admin, options.dlq, {
    groupId: spec.groupId,
    topic: spec.topic,
    deadlineMs,
    log,
    signal: options.signal,
  }).catch(async (e) => {
    await disconnectSoon(admin);
    throw e;
  });

  const earliest = async (partition: number): Promise<bigint> => {
    const offsets = await admin.fetchTopicOffsets(spec.topic);
    return BigInt(offsets.find((o) => o.partition === partition)?.low ?? "0");
  };
  const open = (partition: number, from: Checkpoint<S>, checked: boolean): PartitionState<S> => {
    partitions.get(partition)?.pipe.close();
    const pipe = new PartitionPipe(spec.pipeline, from, async (cp) => {
      const at = Date.now();
      // Both before the offset is committed, in either order: a stage resumes from whichever of
      // the two is current, so writing them together halves the wait per slice.
      const saved = await Promise.allSettled([
        checkpoints.save(partition, cp, at),
        changelog.write(partition, cp, at),
      ]);
      // Both settled first, so a failed slice leaves no write in flight to land after a later one.
      for (const s of saved) if (s.status === "rejected") throw s.reason;
    });
    const ps = { offset: from.offset, pipe, checked };
    partitions.set(partition, ps);
    return ps;
  };
  const drop = (partition: number) => {
    partitions.get(partition)?.pipe.close();
    partitions.delete(partition);
  };
  const rebuild = async (consumer: Consumer, partition: number, why: string) => {
    const low = await earliest(partition);
    stats.rebuilds++;
    log.info(`${spec.name} stage: partition ${partition}: ${why}; rebuilding its state from offset ${low}`);
    open(partition, { offset: low - 1n, state: spec.initial() }, true);
    consumer.seek({ topic: spec.topic, partition, offset: low.toString() });
  };

  /** Whether a checkpoint reaches `first`, where the group resumes its partition. */
  const current = (cp: { offset: bigint }, first: bigint) => cp.offset + 1n >= first;

  /**
   * Opens the partition from the first current checkpoint of `local` and the changelog's, else
   * rebuilds it; undefined once a rebuild began.
   */
  const resume = async (
    consumer: Consumer,
    partition: number,
    first: bigint,
    local: Checkpoint<S> | null,
    why: string,
  ) => {
    if (local !== null && current(local, first)) return open(partition, local, true);
    const restored = await changelog.latest(partition);
    if (restored !== null && current(restored, first)) {
      stats.restores++;
      log.info(
        `${spec.name} stage: partition ${partition}: ${why}; restored its state at offset ${restored.offset} ` +
          `from ${changelog.topic} (checkpointed ${new Date(restored.at).toISOString()})`,
      );
      return open(partition, restored, true);
    }
    const low = await earliest(partition);
    const nor = restored === null
      ? `nor in ${changelog.topic}`
      : `and the one in ${changelog.topic} is stale`;
    if (first > low) return void await rebuild(consumer, partition, `${why}, ${nor}`);
    if (local !== null || restored !== null) {
      log.warn(
        `${spec.name} stage: partition ${partition}: ${why}, ${nor}, and the offsets before ${first} are ` +
          `no longer retained; going on from an empty state`,
      );
    }
    return open(partition, { offset: first - 1n, state: spec.initial() }, true);
  };

  /** The partition's pipeline, ready for a batch starting at `first`; undefined once a rebuild began. */
  const prepare = async (consumer: Consumer, partition: number, first: bigint) => {
    const ps = partitions.get(partition);
    if (ps === undefined) {
      const saved = await checkpoints.load(partition);
      const why = saved === null
        ? "no checkpoint here"
        : `checkpoint at ${saved.offset} is behind the group's offset ${first}`;
      return await resume(consumer, partition, first, saved, why);
    }
    if (ps.checked) return ps;
    ps.checked = true;
    if (current(ps, first)) return ps;
    return await resume(
      consumer,
      partition,
      first,
      null,
      `checkpoint at ${ps.offset} is behind the group's offset ${first}`,
    );
  };

  /** Decodes messages from `start` until the slice is full; returns it and where the next starts. */
  const slice = (
    ps: PartitionState<S>,
    partition: number,
    messages: KafkaMessage[],
    start: number,
  ): { next: number; batch: Batch; dead: OutMessage[] } => {
    const batch = emptyBatch();
    const dead: OutMessage[] = [];
    const began = performance.now();
    // Items, not messages: a `trades` message holds many.
    let items = 0;
    /** A message, or one element of it (a trade of a `trades` message), to the dead-letter topic. */
    const toDlq = (m: KafkaMessage, error: string, element?: { index: number; value: unknown }) => {
      stats.dlq++;
      const at = `${spec.topic}/${partition}@${m.offset}${element ? `[${element.index}]` : ""}`;
      log.warn(`${spec.name} stage: ${at}: ${error}; sent to ${dlqTopic(spec.topic)}`);
      const origin = { topic: spec.topic, partition, offset: m.offset };
      dead.push({
        key: m.key?.toString() ?? "",
        value: JSON.stringify({
          error,
          origin: element ? { ...origin, index: element.index } : origin,
          key: m.key?.toString() ?? null,
          value: element ? JSON.stringify(element.value) : m.value?.toString() ?? null,
        }),
      });
    };
    let i = start;
    for (; i < messages.length; i++) {
      if (i > start && (items >= sliceMessages || performance.now() - began > sliceMs)) break;
      const m = messages[i] as KafkaMessage;
      const offset = BigInt(m.offset);
      if (offset <= ps.offset) {
        stats.skipped++;
        continue;
      }
      ps.offset = offset;
      try {
        const message = decode(m.value?.toString() ?? null, spec.kind, m.key?.toString());
        stats.messages++;
        items++;
        if (message.type === "trade") batch.trades.push(message.data);
        else if (message.type === "trades") {
          items += message.data.length - 1;
          for (const t of message.data) batch.trades.push(t);
          for (const r of message.rejected ?? []) toDlq(m, r.error, r);
        } else if (message.type === "candle") {
          batch.candles.push(message.data);
          if (message.series !== undefined) (batch.candleSeries ??= {})[message.data.pair] = message.series;
        } else if (message.type === "feature") batch.rows.push(message.data);
        else if (message.type === "news") {
          (batch.news ??= []).push(message.data);
          if (message.recorded) (batch.newsRecorded ??= new Set()).add(message.data.id);
        } else if (message.type === "news_signal") (batch.signals ??= []).push(message.data);
        else if (message.type === "end") {
          // Its pair's windows close after the trades before it and before any after it.
          batch.ends = [message.data.pair];
          if (message.series !== undefined) batch.endSeries = { [message.data.pair]: message.series };
          i++;
          break;
        }
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        toDlq(m, e.message);
      }
    }
    return { next: i, batch, dead };
  };

  const eachBatch = async (
    { batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload,
    consumer: Consumer,
  ) => {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const partition = batch.partition;
    // A restore reads the changelog, which takes a group join of its own.
    const ps = await withHeartbeats(
      () => prepare(consumer, partition, BigInt((batch.messages[0] as KafkaMessage).offset)),
      heartbeat,
      heartbeatMs,
    );
    if (!ps) return;
    for (let start = 0; start < batch.messages.length;) {
      if (!isRunning() || isStale()) return;
      try {
        const next = slice(ps, partition, batch.messages, start);
        start = next.next;
        await withHeartbeats(
          async () => {
            if (next.dead.length) await options.dlq.send(dlqTopic(spec.topic), next.dead);
            await ps.pipe.send(next.batch, ps.offset);
          },
          heartbeat,
          heartbeatMs,
        );
      } catch (e) {
        // The next batch starts again from the checkpoint, which the failed slice did not reach.
        drop(partition);
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
      for (const p of [...partitions.keys()]) drop(p);
      if (rejoin) stats.rejoins++;
    },
    onAssigned(assigned) {
      const mine = new Set(assigned);
      for (const [p, ps] of partitions) {
        if (!mine.has(p)) drop(p);
        // Another member may have had the partition in between.
        else ps.checked = false;
      }
    },
  }).catch(async (e) => {
    await disconnectSoon(admin);
    throw e;
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      await member.stop();
      for (const p of [...partitions.keys()]) drop(p);
      await disconnectSoon(admin);
    })();
  onAbort(options.signal, () => void stop());
  return { name: spec.name, stats, done: member.done, stop };
}
