/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** True when `error` is how an aborted signal rejects (an `AbortError` or `TimeoutError`). */
export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && error === signal.reason) return true;
  return error instanceof DOMException && (error.name === "AbortError" || error.name === "TimeoutError");
}

/**
 * Calls `fn` once when `signal` aborts, or at once (in a microtask) if it already has: a listener
 * added after the abort would otherwise never run, and a stage told to stop while it was still
 * starting would run on.
 */
export function onAbort(
  signal: AbortSignal | undefined,
  fn: () => void,
  options?: { signal?: AbortSignal },
): void {
  if (!signal) return;
  if (signal.aborted) queueMicrotask(() => options?.signal?.aborted || fn());
  else signal.addEventListener("abort", fn, { once: true, ...options });
}

/** Resolves when `signal` aborts, at once if it already has. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => onAbort(signal, resolve));
}

/**
 * Waits for `promise` at most `ms`: true when it settled (either way) in time, false when the
 * time ran out first. The promise is left to settle on its own, its rejection ignored.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = new AbortController();
  try {
    return await Promise.race([
      promise.then(() => true, () => true),
      sleep(ms, settled.signal).then(() => false, () => true),
    ]);
  } finally {
    settled.abort();
  }
}
