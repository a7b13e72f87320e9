/**
 * Runs `work` while heartbeating the group, so a member whose write outlasts the session timeout
 * (a slow store, a busy thread) keeps its membership. kafkajs sends a heartbeat only when its
 * interval has passed since the last one, so ticking at half the interval keeps the pace without
 * flooding. A failed heartbeat is not acted on here: the commit after the work, and the heartbeat
 * kafkajs sends between batches, meet the same error and rejoin.
 *
 * @example
 * ```ts
 * await withHeartbeats(() => store.upsert(rows), heartbeat, 3000);
 * ```
 */
export async function withHeartbeats<T>(
  work: () => Promise<T>,
  heartbeat: () => Promise<void>,
  intervalMs: number,
): Promise<T> {
  const timer = setInterval(() => heartbeat().catch(() => {}), Math.max(1, Math.floor(intervalMs / 2)));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
