/** Every task's `--help`, from its flag declarations; `runTask` prints it. */
import { BACKFILL_FLAGS } from "./backfill.ts";
import { BACKTEST_FLAGS } from "./backtest.ts";
import { BUS_STATUS_FLAGS } from "./bus_status.ts";
import { DEMO_FLAGS } from "./demo.ts";
import { EXPORT_FLAGS, TAIL_FLAGS } from "./features.ts";
import { helpText } from "./help_text.ts";
import { INGEST_FLAGS } from "./ingest.ts";
import { MODELS_COMMANDS, MODELS_FLAGS } from "./models.ts";
import { NEWS_COMMANDS, NEWS_FLAGS } from "./news.ts";
import { DISTILL_FLAGS } from "./news_distill.ts";
import { EVAL_FLAGS } from "./news_eval.ts";
import { NEWS_EXPORT_FLAGS } from "./news_export.ts";
import { LABEL_FLAGS } from "./news_label.ts";
import type { Flags } from "./parse_flags.ts";
import { SERVE_FLAGS } from "./serve.ts";
import { SIM_FLAGS } from "./sim.ts";
import { SOAK_FLAGS } from "./soak.ts";
import { START_FLAGS, START_NOTES } from "./start.ts";
import { TRAIN_FLAGS } from "./train.ts";

/** Each task's flags, and what its help says besides them. */
export const TASKS: Readonly<Record<string, { flags: Flags; notes?: string }>> = {
  start: { flags: START_FLAGS, notes: START_NOTES },
  demo: { flags: DEMO_FLAGS },
  ingest: { flags: INGEST_FLAGS },
  backfill: { flags: BACKFILL_FLAGS },
  "features export": { flags: EXPORT_FLAGS },
  "features tail": { flags: TAIL_FLAGS },
  news: { flags: NEWS_FLAGS, notes: NEWS_COMMANDS },
  "news export": { flags: NEWS_EXPORT_FLAGS },
  "news:distill": { flags: DISTILL_FLAGS },
  "news:eval": { flags: EVAL_FLAGS },
  "news:label": { flags: LABEL_FLAGS },
  train: { flags: TRAIN_FLAGS },
  models: { flags: MODELS_FLAGS, notes: MODELS_COMMANDS },
  backtest: { flags: BACKTEST_FLAGS },
  serve: { flags: SERVE_FLAGS },
  sim: { flags: SIM_FLAGS },
  soak: { flags: SOAK_FLAGS },
  "bus status": { flags: BUS_STATUS_FLAGS },
};

/**
 * The help of `task`. For a task with subcommands (`features`), `args` choose one: the help of
 * the subcommand they start with, or of every subcommand.
 *
 * @example
 * ```ts
 * usage("features", ["export", "--help"]); // the help of `features export`
 * ```
 */
export function usage(task: string, args: readonly string[] = []): string {
  // A task that has subcommands besides its own flags (`news`, `news export`).
  if (args[0] !== undefined && TASKS[`${task} ${args[0]}`]) return usage(`${task} ${args[0]}`);
  const own = TASKS[task];
  if (own) return helpText(task, own.flags, own.notes);
  const subcommands = Object.keys(TASKS).filter((name) => name.startsWith(`${task} `));
  if (subcommands.length === 0) throw new RangeError(`no task named '${task}'`);
  const chosen = subcommands.filter((name) => name === `${task} ${args[0]}`);
  return (chosen.length ? chosen : subcommands).map((name) => usage(name)).join("\n\n");
}
