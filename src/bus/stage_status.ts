/**
 * Where each consumer stage on the bus stands, per partition of its input: the group's committed
 * offset, the log end offset and the lag between them, the latest offset of the partition in the
 * stage's state topic, and when its state was last checkpointed (from the changelog's record, else
 * from a local checkpoint in the data dir). What `deno task bus status` prints.
 *
 * The stages are found in the cluster, not listed here: every consumer group `<prefix>NAME-stage`
 * and every topic `<prefix>NAME.state`, so a stage added later shows without a change here.
 */
import type { Admin, Kafka } from "kafkajs";
import type { Logger } from "../util/log.ts";
import { decodeState, readLast, stateTopic, topicOffsets } from "./changelog.ts";
import { BusUnavailableError, connectWithin, createKafka, disconnectSoon } from "./kafka.ts";
import { stageCheckpoints } from "./stage_checkpoints.ts";

export interface PartitionStatus {
  /** `candles`, `features`, ... */
  stage: string;
  group: string;
  /** The topic the stage consumes. */
  topic: string;
  partition: number;
  /** The group's committed offset (the next message it reads); null before its first commit. */
  committed: number | null;
  /** The log end offset: the offset the next message produced gets. */
  end: number;
  /** Messages not yet committed (from the earliest retained one before any commit). */
  lag: number;
  stateTopic: string;
  /** Offset of the partition's latest record in the state topic; null when it has none. */
  stateOffset: number | null;
  /** When the partition's state was last checkpointed, ISO 8601; null when it never was. */
  checkpointAt: string | null;
  /** Where `checkpointAt` comes from. */
  checkpointFrom: "changelog" | "local" | null;
}

export interface StageStatusOptions {
  brokers: readonly string[];
  topicPrefix: string;
  /** Where a stage on this machine keeps its local checkpoints. */
  dataDir: string;
  /** Give up when the cluster does not answer within this long, ms. */
  deadlineMs: number;
  log: Logger;
  signal?: AbortSignal | undefined;
  /**
   * The rows of an earlier read (a poller's): a partition whose state topic has not moved since
   * keeps the checkpoint time that read found, so its record, up to 16 MiB, is not read again.
   */
  previous?: readonly PartitionStatus[] | undefined;
}

/** The stage names under `prefix`: from `<prefix>NAME-stage` groups and `<prefix>NAME.state` topics. */
export function stageNames(prefix: string, groups: readonly string[], topics: readonly string[]): string[] {
  const names = new Set<string>();
  const add = (id: string, suffix: string) => {
    if (!id.startsWith(prefix) || !id.endsWith(suffix)) return;
    const name = id.slice(prefix.length, id.length - suffix.length);
    // A dot would make it another prefix's stage (`a.candles-stage` is not the empty prefix's).
    if (/^[\w-]+$/.test(name)) names.add(name);
  };
  for (const g of groups) add(g, "-stage");
  for (const t of topics) add(t, ".state");
  return [...names].sort();
}

/**
 * The prefixes under which the cluster holds stages: what comes before `NAME-stage` in a group or
 * `NAME.state` in a topic, for each of the stages `names`, sorted (`""` for none).
 */
export function stagePrefixes(
  names: readonly string[],
  groups: readonly string[],
  topics: readonly string[],
): string[] {
  const prefixes = new Set<string>();
  const add = (id: string, suffix: string) => {
    for (const name of names) {
      if (id.endsWith(`${name}${suffix}`)) prefixes.add(id.slice(0, id.length - name.length - suffix.length));
    }
  };
  for (const g of groups) add(g, "-stage");
  for (const t of topics) add(t, ".state");
  return [...prefixes].sort();
}

/** Every stage's status per partition, sorted by stage and partition. */
export function readStageStatus(options: StageStatusOptions): Promise<PartitionStatus[]> {
  return withAdmin("bus status", options, (kafka, admin) => statuses(kafka, admin, options));
}

/** The prefixes under which the cluster holds any of the stages `names` (see `stagePrefixes`). */
export function readStagePrefixes(
  names: readonly string[],
  options: Omit<StageStatusOptions, "topicPrefix" | "dataDir">,
): Promise<string[]> {
  return withAdmin("bus status", options, async (_, admin) => {
    const [{ groups }, topics] = await Promise.all([admin.listGroups(), admin.listTopics()]);
    return stagePrefixes(names, groups.map((g) => g.groupId), topics);
  });
}

/** `read` with a connected admin client, given up on after `deadlineMs` with `BusUnavailableError`. */
async function withAdmin<T>(
  what: string,
  options: Pick<StageStatusOptions, "brokers" | "deadlineMs" | "log" | "signal">,
  read: (kafka: Kafka, admin: Admin) => Promise<T>,
): Promise<T> {
  const kafka = createKafka({ brokers: options.brokers, deadlineMs: options.deadlineMs, log: options.log });
  const admin = kafka.admin();
  // A connect given up on at the deadline goes on retrying inside kafkajs; one that lands after
  // the disconnect below would stay open, in a process that reads again and again (serve).
  const connects: Promise<void>[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await connectWithin(what, () => {
      const connect = admin.connect();
      connects.push(connect);
      return connect;
    }, options);
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BusUnavailableError(
              `${what}: no answer from Kafka within ${Math.round(options.deadlineMs / 1000)} s`,
            ),
          ),
        options.deadlineMs,
      );
    });
    return await Promise.race([read(kafka, admin), expired]);
  } finally {
    clearTimeout(timer);
    await disconnectSoon(admin);
    for (const c of connects) c.then(() => admin.disconnect()).catch(() => {});
  }
}

async function statuses(kafka: Kafka, admin: Admin, options: StageStatusOptions): Promise<PartitionStatus[]> {
  const [{ groups }, topics] = await Promise.all([admin.listGroups(), admin.listTopics()]);
  const names = stageNames(options.topicPrefix, groups.map((g) => g.groupId), topics);
  const perStage = await Promise.all(
    names.map((name) =>
      stageStatus(kafka, admin, `${options.topicPrefix}${name}-stage`, name, topics, options)
    ),
  );
  return perStage.flat();
}

async function stageStatus(
  kafka: Kafka,
  admin: Admin,
  group: string,
  stage: string,
  topics: readonly string[],
  options: StageStatusOptions,
): Promise<PartitionStatus[]> {
  const state = stateTopic(group);
  const hasState = topics.includes(state);
  const [committed, stateEnds] = await Promise.all([
    admin.fetchOffsets({ groupId: group }),
    hasState ? topicOffsets(admin, state) : Promise.resolve([]),
  ]);
  const records = new Map<number, { topic: string; at: number }>();
  for (const r of options.previous ?? []) {
    const end = stateEnds.find((e) => e.partition === r.partition);
    if (
      r.group === group && r.checkpointFrom === "changelog" && end && r.stateOffset === Number(end.high) - 1
    ) {
      records.set(r.partition, { topic: r.topic, at: Date.parse(r.checkpointAt!) });
    }
  }
  const unread = stateEnds.filter((e) => !records.has(e.partition)).map((e) => e.partition);
  const last = hasState && unread.length > 0
    ? await readLast(kafka, admin, state, { ...options, partitions: unread })
    : new Map();
  for (const [partition, record] of last) {
    try {
      const { topic, at } = decodeState(record.value);
      records.set(partition, { topic, at });
    } catch {
      // Shown as a state offset without a time.
    }
  }
  // The input topic: where the group commits, else what its state records name.
  const inputs = new Set(committed.map((c) => c.topic));
  for (const r of records.values()) inputs.add(r.topic);
  const rows: PartitionStatus[] = [];
  for (const topic of [...inputs].filter((t) => topics.includes(t)).sort()) {
    const done = new Map(
      (committed.find((c) => c.topic === topic)?.partitions ?? []).map((
        p,
      ) => [p.partition, Number(p.offset)]),
    );
    const local = stageCheckpoints(options.dataDir, group, topic);
    for (const end of (await topicOffsets(admin, topic)).sort((a, b) => a.partition - b.partition)) {
      const p = end.partition;
      const at = done.get(p);
      const c = at === undefined || at < 0 ? null : at;
      const s = stateEnds.find((e) => e.partition === p);
      const record = records.get(p);
      const savedAt = record ? null : await local.savedAt(p).catch(() => null);
      const checkpoint = record?.at ?? savedAt;
      rows.push({
        stage,
        group,
        topic,
        partition: p,
        committed: c,
        end: Number(end.high),
        lag: Number(end.high) - (c ?? Number(end.low)),
        stateTopic: state,
        stateOffset: s && BigInt(s.high) > BigInt(s.low) ? Number(s.high) - 1 : null,
        checkpointAt: checkpoint === null ? null : new Date(checkpoint).toISOString(),
        checkpointFrom: record ? "changelog" : savedAt === null ? null : "local",
      });
    }
  }
  return rows;
}
