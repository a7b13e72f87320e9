/**
 * Lowering the calling thread's scheduling priority, for the training Worker. On a 2-core machine a
 * retraining, the HTTP load and the serving thread compete for two cores; at equal priority the
 * kernel lets the Worker run out its time slice while a request waits, which showed as /predict
 * p99 of 5–14 ms during a retraining. Niced, the Worker yields the core as soon as the serving
 * thread wakes, and still gets every idle cycle.
 *
 * Linux only: `setpriority(PRIO_PROCESS, tid, …)` changes one thread there (other systems apply it
 * to the whole process, which would slow serving too, so they are left alone). Needs `--allow-ffi`;
 * without it, or where libc cannot be opened (Deno Deploy), nothing changes.
 */

/** Thread ids come from the raw `gettid` syscall, whose number depends on the architecture. */
const GETTID: Partial<Record<typeof Deno.build.arch, bigint>> = { x86_64: 186n, aarch64: 178n };
const PRIO_PROCESS = 0;

const SYMBOLS = {
  syscall: { parameters: ["i64"], result: "i64" },
  setpriority: { parameters: ["i32", "u32", "i32"], result: "i32" },
  getpriority: { parameters: ["i32", "u32"], result: "i32" },
} as const;

/** What happened, for the log: the nice value set, or why nothing was done. */
export type PriorityResult = { nice: number } | { skipped: string };

function withLibc<T>(
  use: (libc: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"], tid: number) => T,
): T | string {
  const gettid = GETTID[Deno.build.arch];
  if (Deno.build.os !== "linux" || gettid === undefined) {
    return `per-thread priority is not supported on ${Deno.build.os}/${Deno.build.arch}`;
  }
  // Asked, not tried: in a terminal, a Worker trying FFI without the permission would wait on a prompt.
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return "no FFI permission (--allow-ffi)";
  }
  let lib;
  try {
    lib = Deno.dlopen("libc.so.6", SYMBOLS);
  } catch (err) {
    return `libc not available: ${(err as Error).message}`;
  }
  try {
    return use(lib.symbols, Number(lib.symbols.syscall(gettid)));
  } finally {
    lib.close();
  }
}

/**
 * Sets the calling thread's nice value to `nice` (0–19; higher yields more), or leaves it where it
 * is if it is already that low (raising a priority needs privileges). Never throws.
 */
export function lowerThreadPriority(nice = 10): PriorityResult {
  const done = withLibc((libc, tid) => {
    const target = Math.max(nice, libc.getpriority(PRIO_PROCESS, tid));
    return tid > 0 && libc.setpriority(PRIO_PROCESS, tid, target) === 0 ? target : null;
  });
  if (typeof done === "string") return { skipped: done };
  return done === null ? { skipped: "setpriority failed" } : { nice: done };
}

/** The calling thread's id and nice value, or why they cannot be read. */
export function threadPriority(): { tid: number; nice: number } | { skipped: string } {
  // getpriority returns the nice value itself, so -1 is ambiguous; nice values here are ≥ 0.
  const got = withLibc((libc, tid) => ({ tid, nice: libc.getpriority(PRIO_PROCESS, tid) }));
  return typeof got === "string" ? { skipped: got } : got;
}
