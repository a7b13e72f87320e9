/** A task's `--help` text, written from its flag declarations. */
import type { Flags } from "./parse_flags.ts";

/**
 * One line per flag: its help, then whether it is required, its default and its environment variable.
 *
 * @example
 * ```ts
 * console.log(helpText("ingest", INGEST_FLAGS));
 * ```
 */
export function helpText(command: string, flags: Flags, notes?: string): string {
  const rows = Object.values(flags).map((f) => {
    const extra = [
      f.required ? "required" : "",
      f.default ? `default ${f.default}` : "",
      f.env ? `env ${f.env}` : "",
    ]
      .filter(Boolean).join(", ");
    return `  --${f.name.padEnd(16)} ${f.help}${extra ? ` (${extra})` : ""}`;
  });
  rows.push(`  --${"help".padEnd(16)} show this help`);
  return `usage: deno task ${command} [flags]\n${rows.join("\n")}${notes ? `\n\n${notes}` : ""}`;
}
