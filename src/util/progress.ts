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

/** `42s`, `1m05s`, `2h07m`; rounded whole first, so 119.6 s reads `2m00s`, not `1m60s`. */
export function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** How far a job was, and when (epoch ms). */
export interface ProgressPoint {
  at: number;
  fraction: number;
}

/**
 * Seconds left, from the pace between the first point seen and `now`; NaN (an ETA of "?") until
 * there is progress to go by. The first point is where this run started from, not zero: the first
 * page of a REST history can cover a fifth of the range in a tenth of a second, and a resumed job
 * starts most of the way through, so a pace measured from zero would promise an end at once.
 */
export function secondsLeft(first: ProgressPoint, now: ProgressPoint): number {
  if (now.fraction >= 1) return 0;
  const done = now.fraction - first.fraction, elapsed = (now.at - first.at) / 1000;
  return done > 0 && elapsed > 0 ? elapsed * (1 - now.fraction) / done : NaN;
}

export class Progress {
  #tty: boolean;
  #log: Logger;
  #label: string;
  #lastLine = 0;
  #drawn = false;
  #first: ProgressPoint | undefined;

  constructor(label: string, log: Logger, tty: boolean = Deno.stderr.isTerminal()) {
    this.#label = label;
    this.#log = log;
    this.#tty = tty;
  }

  update(u: ProgressUpdate, force = false): void {
    const now = Date.now();
    const f = u.fraction === undefined ? undefined : Math.min(1, Math.max(0, u.fraction));
    if (f !== undefined) this.#first ??= { at: now, fraction: f };
    const every = this.#tty ? 100 : 5000;
    if (!force && now - this.#lastLine < every) return;
    this.#lastLine = now;
    const left = f === undefined || this.#first === undefined
      ? "?"
      : eta(secondsLeft(this.#first, { at: now, fraction: f }));
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
