/**
 * Progress of a long job: a bar rewritten in place on a terminal, a plain log line every few
 * seconds otherwise (CI logs, files, pipes).
 */
import type { Logger } from "./log.ts";

export interface ProgressUpdate {
  /** Fraction done, 0..1, when known. */
  fraction: number | undefined;
  /** What is done, in words: `2019-07-01T00:20 · 1,000 trades`. */
  detail: string;
  /** Items per second, for the rate. */
  rate: number;
}

const encoder = new TextEncoder();

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  }
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}m`;
}

export class Progress {
  #tty: boolean;
  #log: Logger;
  #label: string;
  #start = Date.now();
  #lastLine = 0;
  #drawn = false;

  constructor(label: string, log: Logger, tty: boolean = Deno.stderr.isTerminal()) {
    this.#label = label;
    this.#log = log;
    this.#tty = tty;
  }

  update(u: ProgressUpdate, force = false): void {
    const now = Date.now();
    const every = this.#tty ? 100 : 5000;
    if (!force && now - this.#lastLine < every) return;
    this.#lastLine = now;
    const elapsed = (now - this.#start) / 1000;
    const f = u.fraction === undefined ? undefined : Math.min(1, Math.max(0, u.fraction));
    const left = f !== undefined && f > 0 ? eta(elapsed * (1 - f) / f) : "?";
    const rate = rateText(u.rate);
    if (this.#tty) {
      const width = 24;
      const bar = f === undefined ? "" : `[${"#".repeat(Math.round(f * width)).padEnd(width, ".")}] `;
      const pct = f === undefined ? "" : `${(f * 100).toFixed(1).padStart(5)}% `;
      Deno.stderr.writeSync(
        encoder.encode(`\r\x1b[2K${this.#label} ${bar}${pct}${u.detail} · ${rate} · ETA ${left}`),
      );
      this.#drawn = true;
    } else {
      const pct = f === undefined ? "" : `${(f * 100).toFixed(1)}% · `;
      this.#log.info(`${this.#label}: ${pct}${u.detail} · ${rate} · ETA ${left}`);
    }
  }

  /** Ends the bar's line so later log lines start clean. */
  done(): void {
    if (this.#drawn) Deno.stderr.writeSync(encoder.encode("\n"));
    this.#drawn = false;
  }
}

/** A rate for the progress line: whole numbers from 10 a second, two figures below (a search's 0.21/s). */
export function rateText(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return "0/s";
  return perSecond >= 10
    ? `${Math.round(perSecond).toLocaleString("en-US")}/s`
    : `${Number(perSecond.toPrecision(2))}/s`;
}
