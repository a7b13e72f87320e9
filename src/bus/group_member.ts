/**
 * A consumer-group member that outlives losing its place in the group.
 *
 * kafkajs rejoins by itself on some paths only (a heartbeat between batches answered "unknown
 * member" or "rebalancing"). Elsewhere — an offset commit refused because the coordinator forgot
 * the member (its session expired, the broker restarted), a rebalance or a coordinator move met
 * mid-commit, retries used up while the broker was away — it crashes the consumer, and for errors
 * it calls non-retriable it stays down. Here every crash is followed, after a backoff, by a fresh
 * consumer in the same group (a new member id and assignment), and the stage resumes from its
 * checkpoints. Only a member still not back `deadlineMs` after it lost its place (no batch handled,
 * no heartbeat while idle since) gives up, with a {@linkcode BusUnavailableError}.
 */
import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import { backoffDelay } from "../sources/backoff.ts";
import { onAbort, settlesWithin, sleep } from "../util/abortable.ts";
import type { Logger } from "../util/log.ts";
import { BusUnavailableError, connectWithin, FETCH_WAIT_MS } from "./kafka.ts";

/**
 * How long a stop waits, once no batch is being handled, for the member to leave the group. A
 * reachable broker lets it within a fetch wait and a leave request, or, while the group
 * rebalances, once the other members have rejoined (they do on their next heartbeat, every 3 s);
 * a member that stopped without leaving holds its partitions for its 30 s session. A broker that is
 * down or silent would hold the stop through kafkajs's retries of the fetch in flight, or its 30 s
 * request timeout, with nothing left to write.
 */
export const LEAVE_WAIT_MS = 10_000;

/** Consumer-group timeouts, ms. */
export interface GroupTimeouts {
  /**
   * How long the coordinator keeps a member it does not hear from; also how long a member that
   * died without leaving holds its partitions. Members heartbeat while they write, so this only
   * has to outlast a stalled event loop (every stage of a process shares one JS thread).
   */
  sessionMs: number;
  /** A third of the session or less, so one late or lost heartbeat does not expire the member. */
  heartbeatMs: number;
  /**
   * How long a rebalance waits for members to rejoin. A member rejoins between batches, so this
   * must outlast one batch's write.
   */
  rebalanceMs: number;
}

/** kafkajs's own defaults: a dead member's partitions move on within 30 s. */
export const GROUP_TIMEOUTS: GroupTimeouts = { sessionMs: 30_000, heartbeatMs: 3_000, rebalanceMs: 60_000 };

export interface GroupMemberOptions {
  /** For logs: `candles`, `features`. */
  name: string;
  groupId: string;
  topic: string;
  timeouts?: Partial<GroupTimeouts> | undefined;
  /** Give up after this long without a sign of health, ms. */
  deadlineMs: number;
  log: Logger;
  signal?: AbortSignal | undefined;
  /** Handles one fetched batch with the consumer that fetched it (to commit through). */
  eachBatch(payload: EachBatchPayload, consumer: Consumer): Promise<void>;
  /** Called as each consumer is created; `rejoin` is false for the first one. */
  onMember(rejoin: boolean): void;
  /** Called whenever the member (re)joins, with the partitions it now owns. */
  onAssigned(partitions: number[]): void;
}

export interface GroupMember {
  /** Resolves when stopped; rejects when the member gave up. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Joins the group and consumes until stopped; throws when the first join cannot reach Kafka in time.
 *
 * @example
 * ```ts
 * const member = await joinGroup(kafka, {
 *   name: "candles", groupId: "candles-stage", topic: "trades", deadlineMs: 60_000, log,
 *   eachBatch: (payload, consumer) => handle(payload, consumer),
 *   onMember: () => states.clear(),
 *   onAssigned: (partitions) => keepOnly(partitions),
 * });
 * await member.done;
 * ```
 */
export async function joinGroup(kafka: Kafka, options: GroupMemberOptions): Promise<GroupMember> {
  const { name, log, deadlineMs } = options;
  const timeouts = { ...GROUP_TIMEOUTS, ...options.timeouts };
  const stopped = new AbortController();
  let current: Consumer | undefined;
  /** When the member first lost its place since it last made progress. */
  let lostSince: number | undefined;
  let attempt = 0;
  let inBatch = false;
  /** The batch being handled, settled either way; a stop lets it finish. */
  let batch: Promise<void> = Promise.resolve();
  const healthy = () => {
    lostSince = undefined;
    attempt = 0;
  };

  let settle: (e?: unknown) => void = () => {};
  const done = new Promise<void>((resolve, reject) =>
    settle = (e) => e === undefined ? resolve() : reject(e)
  );

  const lost = (error: Error) => {
    if (stopped.signal.aborted) return;
    lostSince ??= Date.now();
    const left = deadlineMs - (Date.now() - lostSince);
    if (left <= 0) {
      const s = Math.round(deadlineMs / 1000);
      settle(
        new BusUnavailableError(`${name} stage stopped: not back in ${s} s: ${error.message}`, {
          cause: error,
        }),
      );
      return;
    }
    const delay = Math.min(backoffDelay(attempt++, { baseMs: 500, maxMs: 5000 }), left);
    log.warn(`${name} stage: ${error.message}; rejoining the group as a new member in ${delay} ms`);
    sleep(delay, stopped.signal).then(
      // A failed rejoin is one more loss: retried until the deadline, then the end.
      () => join(true).catch((e) => lost(e as Error)),
      () => {/* stopped */},
    );
  };

  const join = async (rejoin: boolean) => {
    const consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: timeouts.sessionMs,
      heartbeatInterval: timeouts.heartbeatMs,
      rebalanceTimeout: timeouts.rebalanceMs,
      maxWaitTimeInMs: FETCH_WAIT_MS,
      // A crash is always answered here with a fresh member, so kafkajs must not restart it too.
      retry: {
        retries: 8,
        initialRetryTime: 300,
        maxRetryTime: 5000,
        restartOnFailure: () => Promise.resolve(false),
      },
    });
    current = consumer;
    options.onMember(rejoin);
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const mine = [...e.payload.memberAssignment[options.topic] ?? []].sort((a, b) => a - b);
      options.onAssigned(mine);
      log.info(`${name} stage: assigned partitions ${mine.join(", ") || "none"} of ${options.topic}`);
    });
    // Heartbeats sent while a batch is being written say nothing about whether batches succeed.
    consumer.on(consumer.events.HEARTBEAT, () => !inBatch && healthy());
    consumer.on(consumer.events.CRASH, (e) => current === consumer && lost(e.payload.error));
    try {
      await connectWithin(`${name} stage`, () => consumer.connect(), {
        deadlineMs: rejoin ? Math.max(0, deadlineMs - (Date.now() - (lostSince ?? Date.now()))) : deadlineMs,
        log,
        signal: stopped.signal,
      });
      if (stopped.signal.aborted) return await consumer.disconnect();
      await consumer.subscribe({ topic: options.topic, fromBeginning: true });
      // subscribe refreshes metadata, and may have reconnected what a stop meanwhile disconnected.
      if (stopped.signal.aborted) return await consumer.disconnect();
    } catch (e) {
      await consumer.disconnect().catch(() => {});
      throw e;
    }
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        if (stopped.signal.aborted) return;
        inBatch = true;
        const handled = options.eachBatch(payload, consumer);
        batch = handled.then(() => {}, () => {});
        try {
          await handled;
        } finally {
          inBatch = false;
        }
        healthy();
      },
    });
    // A stop that came while run() joined found no running consumer to stop: leave now.
    if (stopped.signal.aborted) await consumer.disconnect().catch(() => {});
  };

  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      stopped.abort();
      const left = (current?.disconnect() ?? Promise.resolve()).catch((e) =>
        log.warn(`${name} stage: leaving the group: ${(e as Error).message}`)
      );
      if (!await batch.then(() => settlesWithin(left, LEAVE_WAIT_MS))) {
        log.warn(
          `${name} stage: could not leave the group within ${LEAVE_WAIT_MS / 1000} s (Kafka down or ` +
            `silent, or a rebalance under way); stopped without leaving: the group moves this member's ` +
            `partitions on after its ${timeouts.sessionMs / 1000} s session`,
        );
      }
      settle();
    })();
  // Listening from the start: a stop asked for while connecting ends the connecting too.
  onAbort(options.signal, () => void stop());
  try {
    await join(false);
  } catch (e) {
    if (!stopped.signal.aborted) throw e;
  }
  return { done, stop };
}
