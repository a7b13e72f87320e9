/**
 * The simulator's clock: starts at `startMs` and runs at real time × `speed`, until `stopMs`
 * (never, by default), where it stays.
 */
export class SimClock {
  #startMs: number;
  #speed: number;
  #realStart: number;
  #now: () => number;
  #stopMs: number;

  constructor(startMs: number, speed: number, now: () => number = Date.now, stopMs = Infinity) {
    if (!(speed > 0)) throw new RangeError(`speed must be positive, got ${speed}`);
    if (!(stopMs >= startMs)) {
      throw new RangeError(`the clock cannot stop (${stopMs}) before it starts (${startMs})`);
    }
    this.#startMs = startMs;
    this.#speed = speed;
    this.#now = now;
    this.#realStart = now();
    this.#stopMs = stopMs;
  }

  /** Simulated epoch ms. */
  now(): number {
    return Math.min(this.#stopMs, Math.floor(this.#startMs + (this.#now() - this.#realStart) * this.#speed));
  }
}
