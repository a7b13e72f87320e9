/**
 * Producing to the bus: gzip-compressed batches, acks from all in-sync replicas, and retries
 * with backoff through broker outages until the deadline, after which a
 * {@linkcode BusUnavailableError} says so.
 */
import { CompressionTypes, type Kafka, type Producer } from "kafkajs";
import { type Logger, silent } from "../util/log.ts";
import { BusUnavailableError, connectWithin, disconnectSoon } from "./kafka.ts";
import { backoffDelay } from "../sources/backoff.ts";
import { sleep } from "../util/abortable.ts";

export interface OutMessage {
  key: string;
  value: string;
  headers?: Record<string, string>;
  /** The partition to write to; by default the key's. */
  partition?: number;
}

/** Uncompressed bytes per request: below the broker's default 1 MB batch limit even without compression. */
const CHUNK_BYTES = 512 * 1024;

function chunks(messages: readonly OutMessage[]): OutMessage[][] {
  const out: OutMessage[][] = [];
  let current: OutMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = m.key.length + m.value.length + 64;
    if (current.length > 0 && bytes + size > CHUNK_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export class BusProducer {
  #producer: Producer;
  #deadlineMs: number;
  #log: Logger;
  sent = 0;

  private constructor(producer: Producer, deadlineMs: number, log: Logger) {
    this.#producer = producer;
    this.#deadlineMs = deadlineMs;
    this.#log = log;
  }

  static async connect(
    kafka: Kafka,
    options: { deadlineMs?: number; log?: Logger | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<BusProducer> {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await connectWithin("producer", () => producer.connect(), options);
    return new BusProducer(producer, options.deadlineMs ?? 60_000, options.log ?? silent);
  }

  /** Sends `messages` to `topic`, in order; resolves once the broker has them all. */
  async send(topic: string, messages: readonly OutMessage[]): Promise<void> {
    for (const chunk of chunks(messages)) {
      const started = Date.now();
      /** The last send's error: what a deadline met while waiting for the next one reports. */
      let failed: unknown;
      for (let attempt = 0;; attempt++) {
        try {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const sending = this.#producer.send({
            topic,
            acks: -1,
            compression: CompressionTypes.GZIP,
            messages: chunk.map((m) => ({
              key: m.key,
              value: m.value,
              ...(m.headers ? { headers: m.headers } : {}),
              ...(m.partition === undefined ? {} : { partition: m.partition }),
            })),
          });
          // A broker that holds the connection without answering fails one send only after
          // kafkajs's retries of its 30 s request timeout, minutes past the deadline.
          const expired = new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(failed ?? new Error("no answer")),
              Math.max(0, started + this.#deadlineMs - Date.now()),
            );
          });
          sending.catch(() => {});
          try {
            await Promise.race([sending, expired]);
          } finally {
            clearTimeout(timer);
          }
          this.sent += chunk.length;
          break;
        } catch (e) {
          failed = e;
          if (!worthRetrying(e)) {
            throw new Error(`Kafka rejected the messages for ${topic}: ${(e as Error).message}`, {
              cause: e,
            });
          }
          if (Date.now() - started >= this.#deadlineMs) {
            throw new BusUnavailableError(
              `cannot produce to ${topic} for ${Math.round(this.#deadlineMs / 1000)} s: ${
                (e as Error).message
              }`,
            );
          }
          const delay = backoffDelay(attempt, { baseMs: 250, maxMs: 5000 });
          this.#log.warn(`producing to ${topic} failed (${(e as Error).message}); retrying in ${delay} ms`);
          await sleep(delay);
        }
      }
    }
  }

  async disconnect(): Promise<void> {
    await disconnectSoon(this.#producer);
  }
}

/**
 * Whether a failed send may succeed later. kafkajs marks an error it has retried to its own limit
 * as not retriable (`KafkaJSNumberOfRetriesExceeded`, possibly wrapped again by an outer retrier),
 * though what it retried, a broker outage say, may well end before our deadline: the root cause
 * decides. What the broker or client rejects outright (an invalid topic, a message too large, a
 * client bug) is not retriable at the root, and retrying it would only delay the error.
 */
export function worthRetrying(e: unknown): boolean {
  let root = e as { retriable?: boolean; cause?: unknown; name?: string } | undefined;
  for (let depth = 0; depth < 10 && root?.cause && root.cause !== root; depth++) {
    root = root.cause as typeof root;
  }
  if (root === undefined || root === null) return true;
  if (["RangeError", "ReferenceError", "SyntaxError", "TypeError"].includes(root.name ?? "")) return false;
  return root.retriable !== false;
}
