/**
 * The soak test, bounded for CI: a synthetic replay with WebSocket drops, malformed frames, REST
 * throttling and a SIGKILL of ingest mid-run must end with the clean run's feature table.
 */
import { assert, assertEquals } from "../assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** `deno task soak` with its task's permissions. */
function soak(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...[
        "--allow-net=127.0.0.1",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-ffi",
        "--allow-run",
      ],
      ...["--config", `${ROOT}deno.json`, `${ROOT}bench/soak.ts`, ...args],
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

Deno.test("soak: drops, malformed frames, throttling and kill -9 leave the feature table identical to a clean run", async () => {
  const out = await soak(["--duration", "40", "--minutes", "360", "--json"]).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stderr.slice(-3000));
  const report = JSON.parse(new TextDecoder().decode(out.stdout));
  assert(report.identical, JSON.stringify(report.series));
  assertEquals(report.faults.sigkills, 1);
  assert(
    report.faults.ws_drops > 0 && report.faults.malformed_frames > 0 && report.faults.rest_throttled > 0,
    JSON.stringify(report.faults),
  );
  assert(report.series.every((s: { clean: number }) => s.clean > 0));
  assert(report.rss_mb.length > 10);
});
