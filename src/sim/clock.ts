/** The simulator's clock: starts at `startMs` and runs at real time × `speed`. */
export class SimClock {
  #startMs: number;
  #speed: number;
  #realStart: number;
  #now: () => number;

  constructor(startMs: number, speed: number, now: () => number = Date.now) {
    if (!(speed > 0)) throw new RangeError(`speed must be positive, got ${speed}`);
    this.#startMs = startMs;
    this.#speed = speed;
    this.#now = now;
    this.#realStart = now();
  }

  /** Simulated epoch ms. */
  now(): number {
    return Math.floor(this.#startMs + (this.#now() - this.#realStart) * this.#speed);
  }
}
