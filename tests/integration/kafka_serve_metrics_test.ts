/**
 * `serve --bus kafka` over a real Apache Kafka broker (tests/kafka_harness.ts), run with the exact
 * permissions of `deno task serve`: after a pipeline over the bus (trades, candles and features,
 * then the predict stage whose data dir serve reads), `/metrics` shows per stage and partition the
 * values `deno task bus status --json` prints; with the broker stopped it still answers 200 at once,
 * with `bus_up 0` and no stale values, and logs the outage once; with the broker back, the gauges
 * return. And a broker outside the task's network permission is refused at start with the command
 * that allows it.
 */
import { assert, assertEquals } from "../assert.ts";
import { burstyTrades, runPipeline } from "../helpers.ts";
import { restartableBroker, TEST_PORT, testBroker, uniquePrefix } from "../kafka_harness.ts";
import { closedPort, output, printed, serveTask, withTempDir } from "../task_process.ts";
import { lag } from "../../src/bus/bus.ts";
import { encode } from "../../src/bus/codec.ts";
import { createKafka } from "../../src/bus/kafka.ts";
import { BusProducer } from "../../src/bus/producer.ts";
import { type PartitionStatus, readStageStatus } from "../../src/bus/stage_status.ts";
import { type Trade, tradeToJsonLine } from "../../src/domain/trade.ts";
import { silent } from "../../src/util/log.ts";

const broker = await testBroker();
const ignore = "skip" in broker;
const BROKERS = "brokers" in broker ? broker.brokers : "";
const ROOT = new URL("../../", import.meta.url).pathname;
const PAIRS = ["BTC/USD", "ETH/USD"];

/** `deno task serve` as deno.json declares it, its permissions included: `deno run ... pipelines/serve.ts`. */
const SERVE_TASK: string[] = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks.serve.split(" ");

interface Serving {
  base: string;
  /** Its log so far. */
  log(): string;
  /** Stops it (SIGTERM); its exit code. */
  stop(): Promise<number>;
}

/** Runs serve with the task's permissions in `cwd` (where `data` and `models` are) and waits until it listens. */
async function serveAsTask(args: readonly string[], cwd: string): Promise<Serving> {
  const [, run, ...flags] = SERVE_TASK;
  const script = flags.pop()!;
  const child = new Deno.Command(Deno.execPath(), {
    args: [run!, ...flags, "--config", `${ROOT}deno.json`, `${ROOT}${script}`, ...args],
    cwd,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1", LOG_FORMAT: "text" },
  }).spawn();
  let log = "";
  const reading = (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) log += text;
  })();
  let port: string | undefined;
  try {
    await waitUntil(
      () => Promise.resolve((port = /dashboard at http:\/\/localhost:(\d+)\//.exec(log)?.[1]) !== undefined),
      60_000,
      "serve listens",
    );
  } catch (e) {
    child.kill("SIGKILL");
    await child.status;
    await reading;
    throw new Error(`${(e as Error).message}:\n${log}`);
  }
  return {
    base: `http://127.0.0.1:${port}`,
    log: () => log,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      const { code } = await child.status;
      await reading;
      return code;
    },
  };
}

async function waitUntil(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

async function ok(child: Deno.ChildProcess, what: string): Promise<string> {
  const out = await child.output();
  const dec = new TextDecoder();
  assertEquals(out.code, 0, `${what}:\n${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

interface Scrape {
  status: number;
  /** `name stage topic partition` (or `name` without labels) → value, for every `bus_` sample. */
  bus: Map<string, number>;
  text: string;
}

/** One GET /metrics, its bus samples parsed. */
async function scrape(base: string): Promise<Scrape> {
  const res = await fetch(`${base}/metrics`);
  const text = await res.text();
  const bus = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^(bus_\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    const key = m[2] === undefined ? m[1]! : `${m[1]} ${labels.stage} ${labels.topic} ${labels.partition}`;
    bus.set(key, Number(m[3]));
  }
  return { status: res.status, bus, text };
}

/** The offset gauges `/metrics` should show for `bus status --json`'s rows (the ages are checked apart). */
function expectedOffsets(rows: readonly PartitionStatus[]): Map<string, number> {
  const out = new Map<string, number>([["bus_up", 1]]);
  for (const r of rows) {
    const at = `${r.stage} ${r.topic} ${r.partition}`;
    if (r.committed !== null) out.set(`bus_committed_offset ${at}`, r.committed);
    out.set(`bus_end_offset ${at}`, r.end);
    out.set(`bus_consumer_lag ${at}`, r.lag);
    if (r.stateOffset !== null) out.set(`bus_state_offset ${at}`, r.stateOffset);
  }
  return out;
}

/** The gauges match the rows: offsets exactly, checkpoint ages as of the scrape, which ran within [before, after]. */
async function assertMatches(base: string, rows: readonly PartitionStatus[]): Promise<void> {
  const before = Date.now();
  const got = await scrape(base);
  const after = Date.now();
  assertEquals(got.status, 200);
  const ages = new Map([...got.bus].filter(([k]) => k.startsWith("bus_checkpoint_age_seconds ")));
  const offsets = new Map([...got.bus].filter(([k]) => !ages.has(k)));
  assertEquals(offsets, expectedOffsets(rows), got.text);
  const checkpointed = rows.filter((r) => r.checkpointAt !== null);
  assertEquals(ages.size, checkpointed.length, got.text);
  for (const r of checkpointed) {
    const age = ages.get(`bus_checkpoint_age_seconds ${r.stage} ${r.topic} ${r.partition}`);
    const at = Date.parse(r.checkpointAt!);
    assert(
      age !== undefined && age >= (before - at) / 1000 && age <= (after - at) / 1000,
      `${age} ${r.checkpointAt}`,
    );
  }
}

/**
 * This process's established TCP connections to `port`: its socket fds matched in /proc/net/tcp
 * (Linux), read by a subprocess since Deno lets only --allow-all read /proc.
 */
function connectionsTo(port: number): number {
  const out = new Deno.Command("sh", {
    args: ["-c", `cat /proc/net/tcp /proc/net/tcp6; echo; ls -l /proc/${Deno.pid}/fd`],
    stdout: "piped",
    stderr: "null",
  }).outputSync();
  const text = new TextDecoder().decode(out.stdout);
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const inodes = new Set<string>();
  for (const line of text.split("\n")) {
    // sl, local, remote, state (01: established), ..., inode
    const f = line.trim().split(/\s+/);
    if (/^\d+:$/.test(f[0] ?? "") && f[2]?.endsWith(hex) && f[3] === "01") inodes.add(f[9]!);
  }
  return [...text.matchAll(/socket:\[(\d+)\]/g)].filter((m) => inodes.has(m[1]!)).length;
}

Deno.test({
  name: "kafka: serve --bus kafka shows bus status in /metrics, and bus_up 0 while the broker is down",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const prefix = uniquePrefix("serve-metrics");
    const bus = ["--bus", "kafka", "--brokers", BROKERS, "--topic-prefix", prefix];
    const kafka = createKafka({ brokers: BROKERS.split(",") });
    const admin = kafka.admin();
    await admin.connect();
    let serving: Serving | undefined;
    let stopped = false;
    try {
      const trades: Trade[] = PAIRS.flatMap((pair, i) =>
        burstyTrades(90, { pair, seed: 40 + i }).map((t, j) => ({ ...t, trade_id: j + 1 }))
      ).sort((a, b) => a.ts - b.ts || a.pair.localeCompare(b.pair));
      await Deno.writeTextFile(`${dir}/t.jsonl`, trades.map(tradeToJsonLine).join("\n") + "\n");
      await ok(
        runPipeline("backfill", [
          "--file",
          "t.jsonl",
          "--windows",
          "1m",
          "--partitions",
          "2",
          "--data-dir",
          "pipeline",
          ...bus,
        ], dir),
        "trades, candles and features over kafka",
      );
      // The predict stage writes the data dir serve reads; no model is promoted, so it predicts naive.
      const predict = runPipeline("ingest", [
        "--stage",
        "predict",
        "--pairs",
        PAIRS.join(","),
        "--data-dir",
        "data",
        "--models-dir",
        "models",
        ...bus,
      ], dir);
      await waitUntil(
        async () => {
          try {
            return await lag(admin, `${prefix}predict-stage`, `${prefix}features`) === 0;
          } catch {
            return false;
          }
        },
        120_000,
        "the predict stage catches up",
      );
      predict.kill("SIGINT");
      await ok(predict, "predict stage");
      // Messages the stopped stage has not read: a lag that is not 0.
      const producer = await BusProducer.connect(kafka);
      await producer.send(
        `${prefix}features`,
        Array.from(
          { length: 7 },
          () => ({ key: "BTC/USD", value: encode({ type: "end", data: { pair: "BTC/USD" } }) }),
        ),
      );
      await producer.disconnect();

      const rows = JSON.parse(
        await ok(
          runPipeline("bus", ["status", "--json", "--data-dir", "data", ...bus.slice(2)], dir),
          "bus status",
        ),
      ) as PartitionStatus[];
      assertEquals([...new Set(rows.map((r) => r.stage))], ["candles", "features", "predict"]);
      assertEquals(rows.filter((r) => r.stage === "predict").reduce((n, r) => n + r.lag, 0), 7);
      assert(rows.some((r) => r.checkpointFrom === "changelog"), JSON.stringify(rows));

      // What the poller passes each read: a partition whose state topic has not moved keeps the time
      // an earlier read found (here a made-up one, to tell), and its record is not read again.
      const read = (previous: PartitionStatus[]) =>
        readStageStatus({
          brokers: [BROKERS],
          topicPrefix: prefix,
          dataDir: `${dir}/data`,
          deadlineMs: 30_000,
          log: silent,
          previous,
        });
      assertEquals(await read(rows), rows);
      const earlier = "2020-01-01T00:00:00.000Z";
      const marked = rows.map((r) => r.checkpointFrom === "changelog" ? { ...r, checkpointAt: earlier } : r);
      assertEquals(await read(marked), marked);
      const moved = marked.map((r) => r.stateOffset === null ? r : { ...r, stateOffset: r.stateOffset - 1 });
      assertEquals(await read(moved), rows);

      serving = await serveAsTask([
        "--port",
        "0",
        "--pairs",
        "BTC/USD",
        "--max-feature-age",
        "0",
        "--bus-refresh",
        "1",
        "--bus-deadline",
        "2",
        "--log-level",
        "debug",
        ...bus,
      ], dir);
      const base = serving.base;
      await waitUntil(async () => (await scrape(base)).bus.get("bus_up") === 1, 60_000, "bus_up 1");
      await assertMatches(base, rows);
      assert((await scrape(base)).text.includes('model_info{pair="BTC/USD",window="1m",version="none"} 1'));

      // From here on the test process holds no connection to the broker.
      await admin.disconnect();
      if (!restartableBroker("down")) {
        console.warn("the broker of KAFKA_BROKERS is not the tests' to stop: the outage is not tested");
        return;
      }
      stopped = true;
      const scrapes: number[] = [];
      await waitUntil(
        async () => {
          const s = await scrape(base);
          scrapes.push(s.status);
          return s.bus.get("bus_up") === 0;
        },
        60_000,
        "bus_up 0 with the broker stopped",
      );
      assert(scrapes.every((s) => s === 200), `${scrapes}`);
      const down = await scrape(base);
      assertEquals(down.status, 200);
      assertEquals([...down.bus], [["bus_up", 0]], "no stale bus values");
      assert(down.text.includes("# TYPE bus_consumer_lag gauge"), down.text);
      assert(down.text.includes('model_info{pair="BTC/USD",window="1m"'), "the series gauges stay");
      // Reads keep failing, every --bus-refresh; the outage is logged once.
      await waitUntil(
        () => Promise.resolve(serving!.log().split("bus: read failed: ").length > 3),
        60_000,
        "three failed reads",
      );
      const warned = serving.log().split("\n").filter((l) => / WARN {2}bus: bus status: /.test(l));
      assertEquals(warned.length, 1, serving.log());
      assert(!/Requires net access|NotCapable/.test(serving.log()), serving.log());
      // Reads that give up go on connecting inside kafkajs: they must not stay connected once it is back.
      for (let i = 0; i < 2; i++) {
        const read = readStageStatus({
          brokers: [BROKERS],
          topicPrefix: prefix,
          dataDir: `${dir}/data`,
          deadlineMs: 1000,
          log: silent,
        });
        assert(await read.then(() => false, () => true), "a read with the broker down fails");
      }

      restartableBroker("up");
      stopped = false;
      await waitUntil(async () => (await scrape(base)).bus.get("bus_up") === 1, 120_000, "bus_up 1 again");
      await assertMatches(base, rows);
      assert(serving.log().includes("bus: bus status: the cluster answers again"), serving.log());
      // kafkajs retries a connect every 5 s at most: past that, a late one would have landed.
      await new Promise((r) => setTimeout(r, 8000));
      assertEquals(connectionsTo(TEST_PORT), 0, "connections left by the failed reads");
      assertEquals(await serving.stop(), 0, serving.log());
      serving = undefined;
    } finally {
      if (stopped) restartableBroker("up");
      await serving?.stop();
      await admin.disconnect().catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("serve --bus kafka with a broker outside the task's network permission names the command that allows it", async () => {
  await withTempDir(async (dir) => {
    // 127.0.0.2 is the loopback too, but not in the task's --allow-net; nothing listens there.
    const broker = `127.0.0.2:${closedPort()}`;
    const args = ["--data-dir", `${dir}/data`, "--models-dir", `${dir}/models`, "--port", "0"]
      .concat(["--bus", "kafka", "--brokers", broker, "--bus-refresh", "1", "--bus-deadline", "1"]);
    const { code, stderr } = await output(serveTask(args));
    assertEquals(code, 2, stderr);
    const lines = printed(stderr);
    assertEquals(lines.length, 1, stderr);
    const prefix = `error: --brokers ${broker} is outside what \`deno task serve\` may connect to; run: `;
    assert(lines[0]!.startsWith(prefix), stderr);
    const command = lines[0]!.slice(prefix.length).split(" ");
    assertEquals(command.slice(0, 3), ["deno", "run", `--allow-net=0.0.0.0,127.0.0.1,localhost,${broker}`]);

    // The command it gives runs the server, whose reads reach the broker's address (refused: nothing
    // listens) instead of failing on a permission; /metrics answers with bus_up 0.
    const child = new Deno.Command(Deno.execPath(), {
      args: command.slice(1),
      cwd: ROOT,
      stderr: "piped",
      stdout: "null",
      env: { NO_COLOR: "1", LOG_FORMAT: "text" },
    }).spawn();
    let log = "";
    const reading = (async () => {
      for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) log += text;
    })();
    try {
      await waitUntil(
        () => Promise.resolve(/WARN {2}bus: bus status: /.test(log) && log.includes("dashboard at")),
        60_000,
        "serve listens and logs the outage",
      ).catch((e) => Promise.reject(new Error(`${e.message}:\n${log}`)));
      const port = /dashboard at http:\/\/localhost:(\d+)\//.exec(log)?.[1];
      assert(port, log);
      const got = await scrape(`http://127.0.0.1:${port}`);
      assertEquals(got.status, 200);
      assertEquals([...got.bus], [["bus_up", 0]]);
      assert(/Kafka unreachable for 1 s/.test(log), log);
      assert(!/Requires net access|NotCapable/.test(log), log);
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await reading;
    }
  });
});
