/**
 * One market per data dir: Kraken, the simulator and replayed files never mix in one set of
 * stores. The first task records its market; a task on another refuses with one line naming
 * `--data-dir` and exits 2, before writing anything.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { closedPort, withTempDir } from "../task_process.ts";
import { ConfigError } from "../../src/config.ts";
import { CheckpointFile } from "../../src/stores/checkpoint_file.ts";
import { claimMarket, exchangeMarket, replayMarket } from "../../src/stores/market_file.ts";
import { runPipeline } from "../helpers.ts";

const KRAKEN = exchangeMarket("https://api.kraken.com", "wss://ws.kraken.com/v2");
const WALKTHROUGH_SIM = exchangeMarket("http://127.0.0.1:8787", "ws://127.0.0.1:8787/v2");

/** Runs a task for at most `ms`; one that is still running then is stopped (and fails the test). */
async function runBriefly(
  task: string,
  args: string[],
  cwd: string,
  ms = 15_000,
): Promise<{ code: number; stderr: string }> {
  const child = runPipeline(task, args, cwd);
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  try {
    const out = await child.output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("claimMarket records a new data dir's market, and the same market continues there", async () => {
  await withTempDir(async (dir) => {
    await claimMarket(`${dir}/data`, KRAKEN);
    const record = JSON.parse(await Deno.readTextFile(`${dir}/data/market.json`));
    assertEquals([record.id, record.description], [KRAKEN.id, KRAKEN.description]);
    await claimMarket(`${dir}/data`, exchangeMarket("https://api.kraken.com", "wss://other.example/v2"));
  });
});

Deno.test("claimMarket refuses a data dir recorded for another market, in one line naming --data-dir", async () => {
  await withTempDir(async (dir) => {
    await claimMarket(`${dir}/data`, replayMarket(`${dir}/data/synthetic_trades.jsonl`, true));
    const e = await assertRejects(() => claimMarket(`${dir}/data`, KRAKEN), ConfigError);
    assert(!e.message.includes("\n"), e.message);
    assert(
      e.message.startsWith(`--data-dir ${dir}/data holds the simulator replaying a SYNTHETIC market`),
      e.message,
    );
    assert(e.message.includes("not Kraken (wss://ws.kraken.com/v2)"), e.message);
    assert(e.message.endsWith("another --data-dir"), e.message);
    await assertRejects(
      () => claimMarket(`${dir}/data`, replayMarket(`${dir}/other.csv`, false)),
      ConfigError,
    );
  });
});

Deno.test("claimMarket judges a data dir without a record by its checkpoints: the walkthrough's simulator is not Kraken", async () => {
  await withTempDir(async (dir) => {
    const job = `ingest http://127.0.0.1:8787`;
    // A file of another layout beside it (a Kafka stage's offsets) is passed over.
    await Deno.mkdir(`${dir}/data/checkpoints`, { recursive: true });
    await Deno.writeTextFile(`${dir}/data/checkpoints/bus_candles_0.json`, '{"offset":"12","state":{}}');
    await new CheckpointFile(`${dir}/data/checkpoints/ingest_http_127.0.0.1_8787.json`).save({
      version: 1,
      job,
      pairs: {},
      updated_at: "2026-01-01T00:00:00.000Z",
    });
    const e = await assertRejects(() => claimMarket(`${dir}/data`, KRAKEN), ConfigError);
    assert(e.message.includes("holds the exchange at http://127.0.0.1:8787"), e.message);
    await Deno.stat(`${dir}/data/market.json`).then(
      () => assert(false, "a refused claim recorded itself"),
      () => {},
    );
    // The same simulator continues, and from then on the record decides.
    await claimMarket(`${dir}/data`, WALKTHROUGH_SIM);
    assertEquals(JSON.parse(await Deno.readTextFile(`${dir}/data/market.json`)).id, WALKTHROUGH_SIM.id);
  });
});

Deno.test("start on a data dir recorded for another market exits 2 with one line naming --data-dir", async () => {
  await withTempDir(async (dir) => {
    await claimMarket(`${dir}/data`, replayMarket(`${dir}/data/synthetic_trades.jsonl`, true));
    const port = closedPort();
    const { code, stderr } = await runBriefly("start", [
      "--pairs",
      "BTC/USD",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--ws-url",
      `ws://127.0.0.1:${port}/v2`,
      "--rest-url",
      `http://127.0.0.1:${port}`,
      "--data-dir",
      `${dir}/data`,
      "--models-dir",
      `${dir}/models`,
    ], dir);
    assertEquals(code, 2, stderr.slice(-2000));
    const lines = stderr.trim().split("\n");
    assertEquals(lines.length, 1, stderr);
    assert(
      lines[0]!.startsWith(`error: --data-dir ${dir}/data holds the simulator replaying a SYNTHETIC`),
      stderr,
    );
    assert(lines[0]!.includes(`not the exchange at http://127.0.0.1:${port}`), stderr);
    assertEquals([...Deno.readDirSync(`${dir}/data`)].map((e) => e.name), ["market.json"]);
  });
});

Deno.test("demo on a data dir holding Kraken's market exits 2 with one line naming --data-dir, writing nothing", async () => {
  await withTempDir(async (dir) => {
    await claimMarket(`${dir}/data`, KRAKEN);
    const { code, stderr } = await runBriefly("demo", [
      "--port",
      "0",
      "--minutes",
      "120",
      "--data-dir",
      `${dir}/data`,
      "--models-dir",
      `${dir}/models`,
    ], dir);
    assertEquals(code, 2, stderr.slice(-2000));
    assertEquals(
      stderr.trim(),
      `error: --data-dir ${dir}/data holds Kraken (wss://ws.kraken.com/v2), ` +
        `not the simulator replaying a SYNTHETIC market (${dir}/data/synthetic_trades.jsonl), ` +
        `as ${dir}/data/market.json records: give this task another --data-dir`,
    );
    assertEquals([...Deno.readDirSync(`${dir}/data`)].map((e) => e.name), ["market.json"]);
  });
});

Deno.test("demo with a --file that does not exist exits 2 naming it, and leaves the data dir unclaimed", async () => {
  await withTempDir(async (dir) => {
    const args = ["--port", "0", "--data-dir", `${dir}/data`, "--models-dir", `${dir}/models`];
    const { code, stderr } = await runBriefly("demo", ["--file", "nope.csv", ...args], dir);
    assertEquals(code, 2, stderr.slice(-2000));
    assertEquals(stderr.trim(), "error: --file: no such file: nope.csv");
    // The right file goes ahead in the same data dir.
    const rows = Array.from({ length: 200 }, (_, i) => `${1.7e12 + i * 30_000},BTC/USD,100,0.1,buy`);
    await Deno.writeTextFile(`${dir}/t.csv`, ["ts,pair,price,qty,side", ...rows].join("\n") + "\n");
    await claimMarket(`${dir}/data`, replayMarket(`${dir}/t.csv`, false));
  });
});

Deno.test("ingest on a data dir another exchange's ingest left exits 2 with one line naming --data-dir", async () => {
  await withTempDir(async (dir) => {
    await new CheckpointFile(`${dir}/data/checkpoints/ingest_https_api.kraken.com.json`).save({
      version: 1,
      job: "ingest https://api.kraken.com",
      pairs: {},
      updated_at: "2026-01-01T00:00:00.000Z",
    });
    const port = closedPort();
    const { code, stderr } = await runBriefly("ingest", [
      "--pairs",
      "BTC/USD",
      "--ws-url",
      `ws://127.0.0.1:${port}/v2`,
      "--rest-url",
      `http://127.0.0.1:${port}`,
      "--data-dir",
      `${dir}/data`,
    ], dir);
    assertEquals(code, 2, stderr.slice(-2000));
    assertEquals(stderr.trim().split("\n").length, 1, stderr);
    assert(stderr.startsWith(`error: --data-dir ${dir}/data holds Kraken, not the exchange at`), stderr);
    assert(stderr.includes(`as ${dir}/data/checkpoints/ingest_https_api.kraken.com.json records`), stderr);
  });
});

Deno.test("a REST backfill on a data dir recorded for another market exits 2; one on its own records it", async () => {
  await withTempDir(async (dir) => {
    await claimMarket(`${dir}/data`, KRAKEN);
    const port = closedPort();
    const args = (dataDir: string) => [
      "--pairs",
      "BTC/USD",
      "--rest-url",
      `http://127.0.0.1:${port}`,
      "--from",
      "2019-07-01T00:00:00Z",
      "--to",
      "2019-07-01T00:10:00Z",
      "--data-dir",
      dataDir,
    ];
    const refused = await runBriefly("backfill", args(`${dir}/data`), dir);
    assertEquals(refused.code, 2, refused.stderr.slice(-2000));
    assert(
      refused.stderr.startsWith(
        `error: --data-dir ${dir}/data holds Kraken (wss://ws.kraken.com/v2), not the exchange at http://127.0.0.1:${port}`,
      ),
      refused.stderr,
    );
    // Its own data dir takes the exchange's market, whatever the (unreachable) exchange then says.
    await runBriefly("backfill", args(`${dir}/sim`), dir, 3000);
    const record = JSON.parse(await Deno.readTextFile(`${dir}/sim/market.json`));
    assertEquals(record.id, `exchange http://127.0.0.1:${port}`);
  });
});

Deno.test("a file backfill into a data dir that holds a market says whose rows it takes the file's for", async () => {
  await withTempDir(async (dir) => {
    await claimMarket(`${dir}/data`, WALKTHROUGH_SIM);
    const file = `${dir}/t.jsonl`;
    await Deno.writeTextFile(
      file,
      '{"pair":"BTC/USD","ts":1561939200000,"price":10000,"qty":1,"side":"buy","trade_id":1}\n',
    );
    const { code, stderr } = await runBriefly("backfill", [
      "--file",
      file,
      "--format",
      "trades-jsonl",
      "--data-dir",
      `${dir}/data`,
    ], dir);
    assertEquals(code, 0, stderr.slice(-2000));
    assert(
      stderr.includes(`holds the exchange at http://127.0.0.1:8787 (ws://127.0.0.1:8787/v2)`) &&
        stderr.includes(`go in as that market's`),
      stderr,
    );
  });
});
