/** The wall clock, for the edges that hand time to the core (which reads none itself). */
import type { Clock } from "../domain/ports.ts";

export const systemClock: Clock = { now: () => Date.now() };
