/**
 * Log lines on stderr, one per notable event; stdout stays free for data. On a terminal they are
 * plain text (`2026-01-01T00:00:00.000Z INFO  ingest: message`); otherwise (a file, a pipe, a
 * log collector) one JSON object each: `{"ts","level","component","msg"}`. `LOG_FORMAT=text|json`
 * overrides the choice. Level from `--log-level` / `LOG_LEVEL` (debug, info, warn, error).
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

function jsonFormat(): boolean {
  let forced: string | undefined;
  try {
    forced = Deno.env.get("LOG_FORMAT");
  } catch {
    forced = undefined; // no env permission: decide by the terminal
  }
  if (forced === "json") return true;
  if (forced === "text") return false;
  try {
    return !Deno.stderr.isTerminal();
  } catch {
    return true;
  }
}

const JSON_LINES = jsonFormat();

/** A logger whose lines are tagged with `name`. */
export function logger(name: string): Logger {
  const write = (level: Level, msg: string) => {
    if (ORDER[level] < threshold) return;
    const ts = new Date().toISOString();
    const line = JSON_LINES
      ? JSON.stringify({ ts, level, component: name, msg }) + "\n"
      : `${ts} ${level.toUpperCase().padEnd(5)} ${name}: ${msg}\n`;
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
