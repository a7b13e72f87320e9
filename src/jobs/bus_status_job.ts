/**
 * `deno task bus status`: each consumer stage's committed offset, log end offset, lag, state-topic
 * offset and last checkpoint time per partition (src/bus/stage_status.ts), as a table or, with
 * `--json`, as JSON for tools.
 */
import type { BusStatusConfig } from "../config/bus_status.ts";
import { type PartitionStatus, readStageStatus } from "../bus/stage_status.ts";
import type { Logger } from "../util/log.ts";

const HEAD = ["stage", "partition", "committed", "end", "lag", "state offset", "last checkpoint"];

const cell = (n: number | null) => n === null ? "-" : String(n);

/**
 * A header line and a line per stage and partition, in left-aligned columns. Pure: the caller
 * prints the lines.
 *
 * @example
 * ```ts
 * console.log(statusTable(rows).join("\n"));
 * ```
 */
export function statusTable(rows: readonly PartitionStatus[]): string[] {
  const lines = [
    HEAD,
    ...rows.map((r) => [
      r.stage,
      String(r.partition),
      cell(r.committed),
      String(r.end),
      String(r.lag),
      cell(r.stateOffset),
      r.checkpointAt === null ? "-" : `${r.checkpointAt} (${r.checkpointFrom})`,
    ]),
  ];
  const widths = HEAD.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  return lines.map((l) => l.map((text, c) => text.padEnd(widths[c]!)).join("  ").trimEnd());
}

/** Prints the status; resolves with the exit status. */
export async function busStatus(cfg: BusStatusConfig, log: Logger, signal?: AbortSignal): Promise<number> {
  const rows = await readStageStatus({
    brokers: cfg.brokers,
    topicPrefix: cfg.topicPrefix,
    dataDir: cfg.dataDir,
    deadlineMs: cfg.busDeadlineMs,
    log,
    signal,
  });
  if (cfg.json) console.log(JSON.stringify(rows, null, 2));
  else if (rows.length === 0) {
    console.log(
      `no stages on the bus${cfg.topicPrefix ? ` under the prefix '${cfg.topicPrefix}'` : ""} yet ` +
        `(no consumer group ${cfg.topicPrefix}NAME-stage with committed offsets, no topic ${cfg.topicPrefix}NAME.state)`,
    );
  } else console.log(statusTable(rows).join("\n"));
  return 0;
}
