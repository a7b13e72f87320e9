/**
 * The Kafka broker for tests: `KAFKA_BROKERS` when set, otherwise a single-node broker started
 * once per test run from infra/kafka (Maven Central jars, KRaft) on a test port and stopped at the
 * end. Without Java or Maven the Kafka tests are skipped with the reason, except under `CI=true`,
 * where a missing broker is a failure.
 */
const ROOT = new URL("../", import.meta.url).pathname;
/** The local test broker's port; `KAFKA_TEST_PORT` moves it, so two test runs can share a machine. */
export const TEST_PORT = Number(Deno.env.get("KAFKA_TEST_PORT") || 19092);

export type Broker = { brokers: string; owned: boolean } | { skip: string };

function has(cmd: string): boolean {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null", stderr: "null" })
      .outputSync()
      .success;
  } catch {
    return false;
  }
}

/** Runs infra/kafka/kafka.sh with the given port and data dir. */
export function kafkaScript(
  command: "up" | "down" | "jars",
  port: number,
  data: string,
): { ok: boolean; output: string } {
  const out = new Deno.Command("bash", {
    args: [`${ROOT}infra/kafka/kafka.sh`, command],
    env: { KAFKA_PORT: String(port), KAFKA_DATA: data },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const dec = new TextDecoder();
  return { ok: out.success, output: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

/**
 * Makes the local broker on `port` forget every member of `group`, as when their sessions
 * expire: their next commit or heartbeat is answered "unknown member".
 */
export async function removeGroupMembers(port: number, group: string): Promise<void> {
  const out = await new Deno.Command("bash", {
    args: [`${ROOT}infra/kafka/kafka.sh`, "remove-members", group],
    env: { KAFKA_PORT: String(port) },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (!out.success) throw new Error(`removing the members of ${group}: ${dec.decode(out.stderr)}`);
}

let broker: Promise<Broker> | undefined;
/** The storage of the broker this run started. */
let ownedData: string | undefined;

/**
 * Stops (`down`) or starts again on the same storage (`up`) the broker this run started, for a
 * test of an outage; false, doing nothing, when the run uses the broker of `KAFKA_BROKERS`.
 */
export function restartableBroker(command: "up" | "down"): boolean {
  if (ownedData === undefined) return false;
  const out = kafkaScript(command, TEST_PORT, ownedData);
  if (!out.ok) throw new Error(`kafka.sh ${command}: ${out.output}`);
  return true;
}

export function testBroker(): Promise<Broker> {
  return broker ??= start();
}

function start(): Promise<Broker> {
  const env = Deno.env.get("KAFKA_BROKERS");
  if (env) return Promise.resolve({ brokers: env, owned: false });
  const missing = ["java", "mvn"].filter((c) => !has(c));
  if (missing.length > 0) {
    const why = `${
      missing.join(" and ")
    } not installed, so no local Kafka broker (set KAFKA_BROKERS to use one)`;
    if (Deno.env.get("CI") === "true") throw new Error(`CI needs the Kafka broker: ${why}`);
    console.warn(`SKIPPING Kafka tests: ${why}`);
    return Promise.resolve({ skip: why });
  }
  const data = Deno.makeTempDirSync({ prefix: "kafka-test-" });
  const up = kafkaScript("up", TEST_PORT, data);
  if (!up.ok) {
    const why = `the local broker did not start: ${up.output.trim().split("\n").slice(-3).join(" / ")}`;
    if (Deno.env.get("CI") === "true") throw new Error(why);
    console.warn(`SKIPPING Kafka tests: ${why}`);
    return Promise.resolve({ skip: why });
  }
  ownedData = data;
  globalThis.addEventListener("unload", () => {
    kafkaScript("down", TEST_PORT, data);
    try {
      Deno.removeSync(data, { recursive: true });
    } catch { /* already gone */ }
  });
  return Promise.resolve({ brokers: `127.0.0.1:${TEST_PORT}`, owned: true });
}

/** A topic prefix no other test uses. */
export function uniquePrefix(name: string): string {
  return `t${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}.${name}.`;
}
