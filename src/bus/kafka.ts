/**
 * The one place that knows kafkajs: creating the client, connecting within a deadline, and
 * creating topics. Everything else in the project talks to the small interfaces in this folder,
 * so moving to another client (e.g. @confluentinc/kafka-javascript) touches only src/bus/.
 */
import process from "node:process";
import { gunzipSync, gzipSync } from "node:zlib";
import { type Admin, CompressionCodecs, CompressionTypes, Kafka, type KafkaConfig, logLevel } from "kafkajs";
import { backoffDelay } from "../sources/backoff.ts";
import { settlesWithin, sleep } from "../util/abortable.ts";
import { type Logger, silent } from "../util/log.ts";
import { dlqTopic } from "./topics.ts";

/**
 * The longest a consumer's fetch waits at the broker for new messages, ms. A consumer stops (or
 * leaves its group to rejoin) only once its fetch in flight returns, so with kafkajs's 5 s default
 * a bounded run or a Ctrl-C would wait up to 5 s after the work is done; an idle fetch twice a
 * second costs the broker next to nothing.
 */
export const FETCH_WAIT_MS = 500;

/**
 * Level 1 of 9. Every message the bus sends is gzipped on the JS thread that also runs the
 * stages; at kafkajs's default level 6 that was a sixth of a `--stage all` backfill's time. JSON
 * trades and feature rows still shrink about 4.5× at level 1 (7× at 6), at a quarter of the cost.
 * Any gzip reader decompresses it.
 */
const GZIP_LEVEL = 1;

/**
 * kafkajs's gzip codec, at {@linkcode GZIP_LEVEL} and without Node's stream machinery around
 * zlib (one call each way); registered for the whole process, which only src/bus/ uses kafkajs in.
 */
function useFastGzip(): void {
  CompressionCodecs[CompressionTypes.GZIP] = () => ({
    compress: (encoder: { buffer: Uint8Array }) =>
      Promise.resolve(gzipSync(encoder.buffer, { level: GZIP_LEVEL })),
    decompress: (buffer: Uint8Array) => Promise.resolve(gunzipSync(buffer)),
  });
}

/**
 * Closes a kafkajs client, waiting for it at most a second. Its disconnect waits for the requests
 * in flight, which a broker that holds the connection without answering keeps for the 30 s request
 * timeout: a task stopping, or giving up at its deadline, would wait that out for nothing.
 */
export async function disconnectSoon(client: { disconnect(): Promise<void> }): Promise<void> {
  await settlesWithin(client.disconnect(), 1000);
}

/** The cluster stayed unreachable past the deadline. */
export class BusUnavailableError extends Error {
  override name = "BusUnavailableError";
}

export interface BusOptions {
  brokers: readonly string[];
  clientId?: string;
  /** Give up when the cluster stays unreachable this long, ms. @default 60000 */
  deadlineMs?: number;
  log?: Logger | undefined;
}

const LEVELS: Record<number, keyof Logger> = {
  [logLevel.ERROR]: "warn",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "debug",
  [logLevel.DEBUG]: "debug",
};

let quietedTimerWarning = false;

/**
 * kafkajs's request queue arms its "send pending requests" timer with `throttledUntil - now`
 * even when no throttle is in force (`throttledUntil` is -1), a negative delay that the timer
 * clamps to 1 ms, which is the "check again at once" kafkajs wants. Node 23+ and Deno print it as
 * a `TimeoutNegativeWarning`; only that warning, from that queue, is dropped here.
 */
function quietKafkajsTimerWarning(): void {
  if (quietedTimerWarning) return;
  quietedTimerWarning = true;
  const printers = process.listeners("warning");
  process.removeAllListeners("warning");
  process.on("warning", (warning: Error) => {
    if (warning.name === "TimeoutNegativeWarning" && /requestQueue/.test(warning.stack ?? "")) return;
    for (const print of printers) print.call(process, warning);
  });
}

export function createKafka(options: BusOptions): Kafka {
  quietKafkajsTimerWarning();
  useFastGzip();
  const log = options.log ?? silent;
  const config: KafkaConfig = {
    clientId: options.clientId ?? "crypto-rt",
    brokers: [...options.brokers],
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, maxRetryTime: 5000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, level, log: entry }) => {
      const { message, ...extra } = entry;
      // kafkajs reports the coordinator warming up as an error; it retries by itself.
      if (/coordinator is not available|partitioner/i.test(`${message}`)) return;
      log[LEVELS[level] ?? "debug"](
        `kafkajs ${namespace}: ${message}${extra.error ? ` (${extra.error})` : ""}`,
      );
    },
  };
  return new Kafka(config);
}

/**
 * Runs `connect` until it succeeds, backing off between attempts, and throws a
 * {@linkcode BusUnavailableError} once `deadlineMs` has passed.
 */
export async function connectWithin(
  what: string,
  connect: () => Promise<void>,
  options: {
    deadlineMs?: number;
    log?: Logger | undefined;
    signal?: AbortSignal | undefined;
    /** The bootstrap brokers, named in the error: a wrong address is the likeliest cause. */
    brokers?: readonly string[] | undefined;
  },
): Promise<void> {
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  const at = options.brokers?.length ? ` at ${options.brokers.join(",")}` : "";
  for (let attempt = 0;; attempt++) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // One kafkajs connect retries for a while by itself; stop waiting for it at the deadline.
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no answer")), Math.max(0, deadline - Date.now()));
      });
      await Promise.race([connect(), expired]);
      return;
    } catch (e) {
      if (options.signal?.aborted) throw e;
      if (Date.now() >= deadline) {
        throw new BusUnavailableError(
          `${what}: Kafka unreachable for ${Math.round((options.deadlineMs ?? 60_000) / 1000)} s${at}: ${
            (e as Error).message
          }`,
        );
      }
      const delay = Math.min(
        backoffDelay(attempt, { baseMs: 500, maxMs: 5000 }),
        Math.max(0, deadline - Date.now()),
      );
      options.log?.warn(`${what}: cannot reach Kafka (${(e as Error).message}); retrying in ${delay} ms`);
      await sleep(delay, options.signal);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Creates the topics (and their dead-letter topics) that do not exist yet, with `partitions` each;
 * returns those of `topics` that existed with another number (a topic's partitions are not changed
 * here: the key → partition mapping, and with it each pair's order and stage state, would move).
 */
export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  partitions: number,
): Promise<{ topic: string; partitions: number }[]> {
  const existing = new Set(await admin.listTopics());
  const wanted = topics.flatMap((t) => [t, dlqTopic(t)]).filter((t) => !existing.has(t));
  if (wanted.length > 0) {
    await createTopicsReady(
      admin,
      wanted.map((topic) => ({ topic, numPartitions: topic.endsWith(".dlq") ? 1 : partitions })),
    );
  }
  const old = topics.filter((t) => existing.has(t));
  if (old.length === 0) return [];
  const { topics: meta } = await admin.fetchTopicMetadata({ topics: old });
  return meta.filter((m) => m.partitions.length !== partitions)
    .map((m) => ({ topic: m.name, partitions: m.partitions.length }));
}

/**
 * Creates topics (those that exist already are left as they are) and returns once every partition
 * of each has a leader. kafkajs's own wait (`waitForLeaders`) gives up when the broker answers
 * before it knows a topic it has just created ("This server does not host this topic-partition"),
 * which a KRaft broker does on a fresh start or when several stages create topics at once: that
 * answer is waited out here, up to `deadlineMs`.
 */
export async function createTopicsReady(
  admin: Admin,
  topics: { topic: string; numPartitions: number; configEntries?: { name: string; value: string }[] }[],
  deadlineMs = 30_000,
): Promise<void> {
  const unknownTopic = (e: unknown) =>
    (e as { type?: string }).type === "UNKNOWN_TOPIC_OR_PARTITION" ||
    /does not host this topic-partition|leader/i.test(String((e as Error)?.message));
  try {
    await admin.createTopics({ waitForLeaders: true, topics });
  } catch (e) {
    if (!unknownTopic(e)) throw e;
  }
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0;; attempt++) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
      const ready = topics.every((t) => {
        const meta = found.find((f) => f.name === t.topic);
        return meta !== undefined && meta.partitions.length >= t.numPartitions &&
          meta.partitions.every((p) => p.leader >= 0);
      });
      if (ready) return;
    } catch (e) {
      if (!unknownTopic(e)) throw e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `topics ${topics.map((t) => t.topic).join(", ")} have no leader ${
          deadlineMs / 1000
        } s after being created`,
      );
    }
    await sleep(Math.min(1000, 50 * 2 ** attempt));
  }
}
