/**
 * The Kafka broker the bench suites run against: `KAFKA_BROKERS`, or the local one of infra/kafka,
 * started by the first suite that asks when it is not up, kept for the rest of the run (a broker
 * started afresh between suites stalled the next suite's first consumer), and stopped at the end
 * of the run by `stopLocalBroker`, so a bench leaves no broker running that it did not find running.
 */
const ROOT = new URL("../", import.meta.url).pathname;
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

function kafkaSh(command: "status" | "up" | "down") {
  return new Deno.Command("bash", {
    args: [`${ROOT}infra/kafka/kafka.sh`, command],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
}

let broker: { list: string; started: boolean } | { why: string } | undefined;

/** The broker list, or null after saying (`skipped` names what is skipped) why there is none. */
export function localBroker(skipped: string): string | null {
  if (broker === undefined) {
    const env = Deno.env.get("KAFKA_BROKERS");
    if (env) broker = { list: env, started: false };
    else {
      const wasUp = kafkaSh("status").success;
      const up = kafkaSh("up");
      const m = /KAFKA_BROKERS=(\S+)/.exec(decode(up.stdout));
      broker = up.success && m
        ? { list: m[1]!, started: !wasUp }
        : { why: decode(up.stderr).trim().split("\n").at(-1) ?? "kafka.sh up failed" };
    }
  }
  if ("list" in broker) return broker.list;
  console.log(`  no Kafka broker (${broker.why}); ${skipped}`);
  return null;
}

/** Stops the local broker if this run started it. */
export function stopLocalBroker(): void {
  if (broker && "list" in broker && broker.started) kafkaSh("down");
  broker = undefined;
}
