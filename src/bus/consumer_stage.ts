/**
 * A consumer stage: one consumer group reading one topic, applying a pure step to each message
 * with per-partition state, writing the outputs, then committing. Delivery is at least once; the
 * sinks are idempotent (store upserts by key, downstream stages dropping what they have seen).
 *
 * State is checkpointed per partition in the stage's data dir, together with the offset it
 * covers, after the outputs are written and before the offset is committed. A message at or
 * below the checkpoint's offset is skipped (it was applied before a crash that came before the
 * commit). A partition the stage has no checkpoint for, or a stale one (another member moved the
 * committed offset on), is rebuilt by replaying it from its earliest retained offset.
 *
 * A message that cannot be decoded goes to `<topic>.dlq` with the error and its origin; the stage
 * goes on.
 */
import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import { type Logger, silent } from "../util/log.ts";
import { type BusMessage, decode, DecodeError } from "./codec.ts";
import { BusUnavailableError, connectWithin } from "./kafka.ts";
import type { BusProducer, OutMessage } from "./producer.ts";
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
  /** Writes a batch's outputs; offsets are committed only after it resolves. */
  write(outputs: O[]): Promise<void>;
}

export interface StageStats {
  messages: number;
  skipped: number;
  dlq: number;
  batches: number;
  rebuilds: number;
}

interface PartitionState<S> {
  /** Last offset applied to `state`; -1 before any. */
  offset: bigint;
  state: S;
  checked: boolean;
}

export interface StageRun {
  stats: StageStats;
  /** Resolves when the stage stops; rejects if it crashed or the cluster stayed unreachable. */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function runStage<S, O>(
  kafka: Kafka,
  spec: StageSpec<S, O>,
  options: {
    dataDir: string;
    dlq: BusProducer;
    deadlineMs?: number;
    log?: Logger | undefined;
    signal?: AbortSignal;
  },
): Promise<StageRun> {
  const log = options.log ?? silent;
  const deadlineMs = options.deadlineMs ?? 60_000;
  let lastHealthy = Date.now();
  const consumer: Consumer = kafka.consumer({
    groupId: spec.groupId,
    allowAutoTopicCreation: false,
    // A member that died without leaving holds its partitions this long before they move on.
    sessionTimeout: 10_000,
    heartbeatInterval: 2_000,
    retry: {
      retries: 8,
      initialRetryTime: 300,
      maxRetryTime: 5000,
      restartOnFailure: (e: Error) => {
        const down = Date.now() - lastHealthy;
        if (down < deadlineMs) {
          log.warn(`${spec.name} stage: ${e.message}; restarting the consumer`);
          return Promise.resolve(true);
        }
        return Promise.resolve(false);
      },
    },
  });
  const admin = kafka.admin();
  await connectWithin(`${spec.name} stage`, async () => {
    await consumer.connect();
    await admin.connect();
  }, { deadlineMs, log, signal: options.signal });
  await consumer.subscribe({ topic: spec.topic, fromBeginning: true });

  const stats: StageStats = { messages: 0, skipped: 0, dlq: 0, batches: 0, rebuilds: 0 };
  const partitions = new Map<number, PartitionState<S>>();
  const file = (p: number) =>
    `${options.dataDir}/checkpoints/bus_${spec.groupId}_${spec.topic}_${p}.json`.replace(/[^\w./-]/g, "_");

  const load = async (p: number): Promise<PartitionState<S> | null> => {
    try {
      const cp = JSON.parse(await Deno.readTextFile(file(p)));
      return { offset: BigInt(cp.offset), state: cp.state as S, checked: false };
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw new Error(`checkpoint ${file(p)} is unreadable (${(e as Error).message}); delete it to rebuild`);
    }
  };
  const save = async (p: number, ps: PartitionState<S>) => {
    await Deno.mkdir(`${options.dataDir}/checkpoints`, { recursive: true });
    const tmp = `${file(p)}.tmp`;
    await Deno.writeTextFile(tmp, JSON.stringify({ offset: ps.offset.toString(), state: ps.state }));
    await Deno.rename(tmp, file(p));
  };
  const earliest = async (partition: number): Promise<bigint> => {
    const offsets = await admin.fetchTopicOffsets(spec.topic);
    return BigInt(offsets.find((o) => o.partition === partition)?.low ?? "0");
  };
  const rebuild = async (partition: number, why: string) => {
    const low = await earliest(partition);
    stats.rebuilds++;
    log.info(`${spec.name} stage: partition ${partition}: ${why}; rebuilding its state from offset ${low}`);
    partitions.set(partition, { offset: low - 1n, state: spec.initial(), checked: true });
    consumer.seek({ topic: spec.topic, partition, offset: low.toString() });
  };

  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const mine = new Set<number>(e.payload.memberAssignment[spec.topic] ?? []);
    for (const p of partitions.keys()) if (!mine.has(p)) partitions.delete(p);
    log.info(
      `${spec.name} stage: assigned partitions ${[...mine].sort().join(", ") || "none"} of ${spec.topic}`,
    );
  });
  consumer.on(consumer.events.HEARTBEAT, () => lastHealthy = Date.now());

  const eachBatch = async ({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload) => {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const partition = batch.partition;
    const first = BigInt((batch.messages[0] as { offset: string }).offset);
    let ps = partitions.get(partition);
    if (ps === undefined) {
      const saved = await load(partition);
      if (saved === null) {
        if (first > await earliest(partition)) return await rebuild(partition, "no checkpoint here");
        ps = { offset: first - 1n, state: spec.initial(), checked: true };
      } else ps = saved;
      partitions.set(partition, ps);
    }
    if (!ps.checked) {
      ps.checked = true;
      if (ps.offset + 1n < first) {
        return await rebuild(partition, `checkpoint at ${ps.offset} is behind the group's offset ${first}`);
      }
    }
    // Roll back to this if writing fails, so a retried batch applies its messages once.
    const before = { offset: ps.offset, state: structuredClone(ps.state) };
    const outputs: O[] = [];
    const dead: OutMessage[] = [];
    try {
      for (const m of batch.messages) {
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
      if (dead.length) await options.dlq.send(dlqTopic(spec.topic), dead);
      await spec.write(outputs);
      await save(partition, ps);
    } catch (e) {
      ps.offset = before.offset;
      ps.state = before.state;
      throw e;
    }
    await consumer.commitOffsets([{ topic: spec.topic, partition, offset: (ps.offset + 1n).toString() }]);
    // Moves the fetch position on; without it the same batch would be fetched again.
    resolveOffset(ps.offset.toString());
    stats.batches++;
    lastHealthy = Date.now();
    await heartbeat();
  };

  let settle: (e?: unknown) => void = () => {};
  const done = new Promise<void>((resolve, reject) =>
    settle = (e) => e === undefined ? resolve() : reject(e)
  );
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) {
      settle(new BusUnavailableError(`${spec.name} stage stopped: ${e.payload.error.message}`));
    }
  });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      await consumer.disconnect();
      await admin.disconnect();
      settle();
    })();
  options.signal?.addEventListener("abort", () => void stop(), { once: true });
  return { stats, done, stop };
}
