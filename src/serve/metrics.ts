/** Prometheus text exposition: counters and latency histograms kept in memory, rendered on scrape. */
import { REQUEST_METRICS } from "./metric_names.ts";

/** The help line of a request metric, as metric_names.ts documents it. */
function help(name: keyof typeof REQUEST_METRICS): string {
  return `# HELP ${name} ${REQUEST_METRICS[name].help}`;
}

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, "_")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** One route's latency histogram: counts per bucket, made cumulative when rendered. */
interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

export class Metrics {
  #requests = new Map<string, Map<number, number>>();
  #latency = new Map<string, Histogram>();
  #timedOut = new Map<string, number>();

  request(route: string, status: number, seconds: number): void {
    this.#count(route, status);
    let h = this.#latency.get(route);
    if (!h) this.#latency.set(route, h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 });
    // Only the first bucket that holds it: a request is counted once, not once per bucket.
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    if (i < BUCKETS.length) h.buckets[i]!++;
    h.sum += seconds;
    h.count++;
  }

  #count(route: string, status: number): void {
    let byStatus = this.#requests.get(route);
    if (!byStatus) this.#requests.set(route, byStatus = new Map());
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }

  /** An answer the server gave on its own, before any route (a request it could not parse): counted, not timed. */
  serverAnswer(status: number): void {
    this.#count("other", status);
  }

  /**
   * The timeouts the listener reports, counted from 0: a counter with no sample until its first
   * event reads as absent, and `rate()` or an alert on it sees nothing until then.
   */
  watchTimeouts(kinds: readonly string[]): void {
    for (const kind of kinds) if (!this.#timedOut.has(kind)) this.#timedOut.set(kind, 0);
  }

  /** A connection the server closed for taking too long: `headers` or `idle`. */
  timedOut(kind: string): void {
    this.#timedOut.set(kind, (this.#timedOut.get(kind) ?? 0) + 1);
  }

  /** The request metrics, then `extra` lines (gauges computed at scrape time). */
  render(extra: string[]): string {
    const out: string[] = [
      help("http_requests_total"),
      "# TYPE http_requests_total counter",
    ];
    for (const [route, byStatus] of this.#requests) {
      for (const [status, n] of byStatus) {
        out.push(`http_requests_total${labels({ route, status: String(status) })} ${n}`);
      }
    }
    out.push(
      help("http_request_duration_seconds"),
      "# TYPE http_request_duration_seconds histogram",
    );
    for (const [route, h] of this.#latency) {
      let below = 0;
      BUCKETS.forEach((b, i) => {
        below += h.buckets[i]!;
        out.push(`http_request_duration_seconds_bucket${labels({ route, le: String(b) })} ${below}`);
      });
      out.push(`http_request_duration_seconds_bucket${labels({ route, le: "+Inf" })} ${h.count}`);
      out.push(`http_request_duration_seconds_sum${labels({ route })} ${h.sum}`);
      out.push(`http_request_duration_seconds_count${labels({ route })} ${h.count}`);
    }
    out.push(
      help("http_connections_timed_out_total"),
      "# TYPE http_connections_timed_out_total counter",
    );
    for (const [timeout, n] of this.#timedOut) {
      out.push(`http_connections_timed_out_total${labels({ timeout })} ${n}`);
    }
    return [...out, ...extra].join("\n") + "\n";
  }
}

export function gauge(
  name: string,
  help: string,
  samples: [Record<string, string>, number | null][],
): string[] {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const [l, v] of samples) if (v !== null && Number.isFinite(v)) lines.push(`${name}${labels(l)} ${v}`);
  return lines;
}
