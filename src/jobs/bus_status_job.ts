/**
 * `deno task bus status`: each consumer stage's committed offset, log end offset, lag, state-topic
 * offset and last checkpoint time per partition (src/bus/stage_status.ts), as a table or, with
 * `--json`, as JSON for tools.
 */
import type { BusStatusConfig } from "../config/bus_status.ts";
import { type PartitionStatus, readStagePrefixes, readStageStatus } from "../bus/stage_status.ts";
import { NEWS_STAGES } from "../config/news.ts";
import { STAGES } from "../config/shared.ts";
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

/** Every stage a `--stage` flag can name, `all` aside. */
const STAGE_NAMES = [...STAGES, ...NEWS_STAGES].filter((s) => s !== "all");

/**
 * What `bus status` says when it finds no stage under the prefix: which prefixes hold stages, if
 * any, since a mistyped prefix otherwise reads as an empty cluster. Pure.
 */
export function noStagesText(prefix: string, others: readonly string[]): string {
  const none = `no stages on the bus${prefix ? ` under the prefix '${prefix}'` : ""} yet ` +
    `(no consumer group ${prefix}NAME-stage with committed offsets, no topic ${prefix}NAME.state)`;
  if (others.length === 0) return none;
  const named = others.map((p) => p === "" ? "no prefix" : `'${p}'`);
  return `${none}; stages are under ${named.join(", ")} (--topic-prefix)`;
}

/** Prints the status; resolves with the exit status. */
export async function busStatus(cfg: BusStatusConfig, log: Logger, signal?: AbortSignal): Promise<number> {
  const options = { brokers: cfg.brokers, deadlineMs: cfg.busDeadlineMs, log, signal };
  const rows = await readStageStatus({ ...options, topicPrefix: cfg.topicPrefix, dataDir: cfg.dataDir });
  if (cfg.json) console.log(JSON.stringify(rows, null, 2));
  else if (rows.length === 0) {
    const others = (await readStagePrefixes(STAGE_NAMES, options)).filter((p) => p !== cfg.topicPrefix);
    console.log(noStagesText(cfg.topicPrefix, others));
  } else console.log(statusTable(rows).join("\n"));
  return 0;
}
