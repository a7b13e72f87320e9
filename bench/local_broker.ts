/**
 * The Kafka broker a bench suite runs against: `KAFKA_BROKERS`, or the local one of infra/kafka,
 * started when it is not up and then stopped again by `stop`, so a bench leaves no broker running
 * that it did not find running.
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

export interface LocalBroker {
  list: string;
  stop(): void;
}

/** The broker list, or null after saying (`skipped` names what is skipped) why there is none. */
export function localBroker(skipped: string): LocalBroker | null {
  const env = Deno.env.get("KAFKA_BROKERS");
  if (env) return { list: env, stop() {} };
  const wasUp = kafkaSh("status").success;
  const up = kafkaSh("up");
  const m = /KAFKA_BROKERS=(\S+)/.exec(decode(up.stdout));
  if (!up.success || !m) {
    console.log(`  no Kafka broker (${decode(up.stderr).trim().split("\n").at(-1)}); ${skipped}`);
    return null;
  }
  return { list: m[1]!, stop: () => void (wasUp || kafkaSh("down")) };
}
