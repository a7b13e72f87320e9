/**
 * The bus gauges of `/metrics` when `serve` runs over Kafka (`--bus kafka`): per consumer stage and
 * partition, the committed offset, log end offset, lag, state-topic offset and checkpoint age, from
 * the code behind `deno task bus status` (../bus/stage_status.ts).
 *
 * A read of the cluster takes from milliseconds to the deadline, so it never runs on a scrape: a
 * poller reads in the background every `refreshMs` and a scrape renders what it kept. When a read
 * fails (the cluster is down, or did not answer in time) the per-partition values are dropped, since
 * a lag from before an outage would keep an alert quiet on a number nobody measured, and `bus_up`
 * says 0; the failure is logged once per outage, not once per read.
 */
import type { PartitionStatus } from "../bus/stage_status.ts";
import type { Logger } from "../util/log.ts";
import { sleep } from "../util/abortable.ts";
import { BUS_GAUGES, type BusGauge } from "./metric_names.ts";
import { gauge } from "./metrics.ts";

/** What the poller knows: whether the last read succeeded, and the rows it returned. */
export interface BusView {
  up: boolean;
  /** Empty while `up` is false. */
  rows: readonly PartitionStatus[];
}

/**
 * The bus gauges' lines for `view`, with the checkpoint ages taken at `now` (epoch ms), so they keep
 * growing between reads. Pure.
 *
 * @example
 * ```ts
 * busGaugeLines({ up: false, rows: [] }, Date.now()); // the HELP and TYPE lines of each, and "bus_up 0"
 * ```
 */
export function busGaugeLines(view: BusView, now: number): string[] {
  type Sample = [Record<string, string>, number | null];
  const g = (name: BusGauge, value: (r: PartitionStatus) => number | null) =>
    gauge(
      name,
      BUS_GAUGES[name].help,
      view.rows.map((r): Sample => [
        { stage: r.stage, group: r.group, topic: r.topic, partition: String(r.partition) },
        value(r),
      ]),
    );
  return [
    ...gauge("bus_up", BUS_GAUGES.bus_up.help, [[{}, view.up ? 1 : 0]]),
    ...g("bus_committed_offset", (r) => r.committed),
    ...g("bus_end_offset", (r) => r.end),
    ...g("bus_consumer_lag", (r) => r.lag),
    ...g("bus_state_offset", (r) => r.stateOffset),
    ...g(
      "bus_checkpoint_age_seconds",
      (r) => r.checkpointAt === null ? null : Math.max(0, now - Date.parse(r.checkpointAt)) / 1000,
    ),
  ];
}

/** One read of every stage's status; `previous` is the last successful read's rows (see StageStatusOptions). */
export type ReadBusStatus = (previous: readonly PartitionStatus[]) => Promise<PartitionStatus[]>;

export interface BusPollerOptions {
  /** Ms between the end of one read and the start of the next. */
  refreshMs: number;
  log: Logger;
  /** Stops the polling. */
  signal: AbortSignal;
  /** Epoch ms. @default {Date.now} */
  now?: () => number;
}

/**
 * Reads the bus's status in the background and keeps the last answer for scrapes.
 *
 * @example
 * ```ts
 * const poller = new BusStatusPoller((previous) => readStageStatus({ ...options, previous }), {
 *   refreshMs: 5000, log, signal,
 * });
 * poller.start();
 * createApp({ ...deps, extraGauges: () => poller.lines() });
 * ```
 */
export class BusStatusPoller {
  #read: ReadBusStatus;
  #options: BusPollerOptions;
  #view: BusView = { up: false, rows: [] };
  #loop: Promise<void> | undefined;
  /** The failure logged for the current outage; undefined while the cluster answers. */
  #outage: string | undefined;

  constructor(read: ReadBusStatus, options: BusPollerOptions) {
    this.#read = read;
    this.#options = options;
  }

  /** Starts polling (once); the promise settles when the signal stops it. */
  start(): Promise<void> {
    return this.#loop ??= this.#run();
  }

  /** What the last read found. */
  get view(): BusView {
    return this.#view;
  }

  /** The gauges' lines for a scrape, from memory. */
  lines(): string[] {
    return busGaugeLines(this.#view, (this.#options.now ?? Date.now)());
  }

  /** One read; exposed so a test can step the poller without waiting. */
  async refresh(): Promise<void> {
    const { log, signal } = this.#options;
    try {
      const rows = await this.#read(this.#view.rows);
      this.#view = { up: true, rows };
      if (this.#outage !== undefined) log.info("bus status: the cluster answers again");
      this.#outage = undefined;
    } catch (e) {
      if (signal.aborted) return;
      // readStageStatus's own errors already say where they come from.
      const message = (e as Error).message.replace(/^(?!bus status: )/, "bus status: ");
      this.#view = { up: false, rows: [] };
      log.debug(`read failed: ${message}`);
      if (this.#outage === undefined) {
        log.warn(
          `${message}; /metrics shows bus_up 0 and no bus gauges until the cluster answers`,
        );
      }
      this.#outage = message;
    }
  }

  async #run(): Promise<void> {
    const { refreshMs, signal } = this.#options;
    while (!signal.aborted) {
      await this.refresh();
      await sleep(refreshMs, signal).catch(() => {});
    }
  }
}
