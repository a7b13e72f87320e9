import { assert, assertEquals } from "../assert.ts";
import { Metrics } from "../../src/serve/metrics.ts";
import { REQUEST_METRICS } from "../../src/serve/metric_names.ts";

Deno.test("Metrics() counts requests by route and status, and each latency in every bucket from its own up", () => {
  const m = new Metrics();
  m.request("/predict", 200, 0.0001);
  m.request("/predict", 200, 0.003);
  m.request("/predict", 404, 2);
  m.serverAnswer(400);
  const lines = m.render(["extra 1"]).split("\n");
  for (
    const line of [
      'http_requests_total{route="/predict",status="200"} 2',
      'http_requests_total{route="/predict",status="404"} 1',
      'http_requests_total{route="other",status="400"} 1',
      'http_request_duration_seconds_bucket{route="/predict",le="0.0005"} 1',
      'http_request_duration_seconds_bucket{route="/predict",le="0.0025"} 1',
      'http_request_duration_seconds_bucket{route="/predict",le="0.005"} 2',
      'http_request_duration_seconds_bucket{route="/predict",le="1"} 2',
      'http_request_duration_seconds_bucket{route="/predict",le="+Inf"} 3',
      'http_request_duration_seconds_count{route="/predict"} 3',
      "extra 1",
    ]
  ) {
    assert(lines.includes(line), `${line} missing from\n${lines.join("\n")}`);
  }
  const sum = lines.find((l) => l.startsWith('http_request_duration_seconds_sum{route="/predict"}'));
  assertEquals(Number(sum?.split(" ")[1]).toFixed(4), "2.0031");
  assert(!lines.some((l) => l.includes('route="other",le=')), "answers the server gave itself are not timed");
});

Deno.test("Metrics() renders each timeout its listener reports from 0, and counts them as they come", () => {
  const m = new Metrics();
  const samples = () =>
    m.render([]).split("\n").filter((l) => l.startsWith("http_connections_timed_out_total"));
  assertEquals(samples(), []);
  m.watchTimeouts(["headers", "idle"]);
  assertEquals(samples(), [
    'http_connections_timed_out_total{timeout="headers"} 0',
    'http_connections_timed_out_total{timeout="idle"} 0',
  ]);
  m.timedOut("idle");
  m.watchTimeouts(["headers", "idle"]);
  assertEquals(samples(), [
    'http_connections_timed_out_total{timeout="headers"} 0',
    'http_connections_timed_out_total{timeout="idle"} 1',
  ]);
});

Deno.test("Metrics() renders each request metric's help line as metric_names.ts documents it", () => {
  const m = new Metrics();
  m.request("/predict", 200, 0.001);
  m.watchTimeouts(["headers", "idle"]);
  const helps = m.render([]).split("\n").filter((l) => l.startsWith("# HELP "));
  assertEquals(
    helps,
    Object.entries(REQUEST_METRICS).map(([name, doc]) => `# HELP ${name} ${doc.help}`),
  );
});
