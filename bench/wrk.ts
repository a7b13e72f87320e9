/**
 * The wrk load generator, driven from Deno: one run against a URL, parsed into its rate, latency
 * percentiles and failures; and the fewest connections that reach a given rate.
 */

/** Whether `wrk` is installed. */
export async function hasWrk(): Promise<boolean> {
  try {
    return (await new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" }).output())
      .code <= 1;
  } catch {
    return false;
  }
}

export interface WrkRun {
  rate: number;
  /** Latency percentiles (ms) of the answered requests; NaN when none was answered. */
  p50: number;
  p99: number;
  /** Requests that timed out (2 s), failed on the socket, or were answered other than 2xx/3xx. */
  failed: number;
}

function millis(text: string): number {
  const m = /([\d.]+)(us|ms|s)\b/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === "us" ? 1e-3 : m[2] === "s" ? 1e3 : 1);
}

/**
 * `connections` connections on `url` for `seconds`, requests timing out after 2 s; `script`: a
 * wrk Lua script (e.g. one whose `delay()` paces each connection).
 */
export async function wrk(
  url: string,
  connections: number,
  seconds: number,
  { script }: { script?: string } = {},
): Promise<WrkRun> {
  const out = await new Deno.Command("wrk", {
    args: [
      `-t${Math.min(2, connections)}`,
      `-c${connections}`,
      `-d${seconds}s`,
      "--timeout",
      "2s",
      "--latency",
      ...(script ? ["-s", script] : []),
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!m) throw new Error(`wrk gave no rate: ${text}${new TextDecoder().decode(out.stderr)}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  // wrk counts a timed-out request among its requests, but not in its latency distribution.
  const answered = Number(/(\d+) requests in/.exec(text)?.[1] ?? 0) - Number(socket?.[4] ?? 0) > 0;
  return {
    rate: Number(m[1]),
    p50: answered ? millis(/\s50%\s+(\S+)/.exec(text)?.[1] ?? "") : NaN,
    p99: answered ? millis(/\s99%\s+(\S+)/.exec(text)?.[1] ?? "") : NaN,
    failed: non2xx + (socket ? socket.slice(1).reduce((a, x) => a + Number(x), 0) : 0),
  };
}

/**
 * Latency at (at least) `rate` requests/s: wrk with the fewest connections that reach it, so the
 * server is as busy as asked and no busier (closed loop; Debian's wrk has no fixed-rate mode).
 */
export async function latencyAt(url: string, rate: number): Promise<WrkRun & { connections: number }> {
  let last = { connections: 0, rate: 0, p50: NaN, p99: NaN, failed: 0 };
  for (const c of [1, 2, 3, 4, 6, 8, 12, 16]) {
    last = { connections: c, ...await wrk(url, c, 4) };
    if (last.rate >= rate) break;
  }
  return last;
}
