/**
 * Plain, greppable log lines on stderr: `2026-01-01T00:00:00.000Z INFO  ingest: message`.
 * Level from `LOG_LEVEL` (debug, info, warn, error); stdout stays free for data.
 */
export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold = ORDER.info;

export function setLogLevel(level: Level): void {
  threshold = ORDER[level];
}

/** Whether lines of `level` are written (to skip building a message nobody will see). */
export function logEnabled(level: Level): boolean {
  return ORDER[level] >= threshold;
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const encoder = new TextEncoder();

/** A logger whose lines are tagged with `name`. */
export function logger(name: string): Logger {
  const write = (level: Level, msg: string) => {
    if (ORDER[level] < threshold) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${name}: ${msg}\n`;
    Deno.stderr.writeSync(encoder.encode(line));
  };
  return {
    debug: (m) => write("debug", m),
    info: (m) => write("info", m),
    warn: (m) => write("warn", m),
    error: (m) => write("error", m),
  };
}

/** A logger that drops everything; the default for library code driven by tests. */
export const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
