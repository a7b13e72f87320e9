/**
 * The demo's synthetic market is generated once into its data dir and continued by later runs; a run
 * whose `--minutes` or `--pairs` ask for another market is refused in one line instead of replaying
 * the old one as if it were the one asked for.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { output, withTempDir } from "../task_process.ts";
import { ConfigError } from "../../src/config.ts";
import { openDemoMarket } from "../../src/system/demo_market.ts";
import { silent } from "../../src/util/log.ts";
import { runPipeline } from "../helpers.ts";

const PAIRS = ["BTC/USD", "ETH/USD"];

Deno.test("a demo data dir's synthetic market continues under the same flags and refuses other --minutes or --pairs", async () => {
  await withTempDir(async (dir) => {
    const cfg = { dataDir: `${dir}/data`, pairs: PAIRS, minutes: 150 };
    const first = await openDemoMarket(cfg, silent);
    const file = `${dir}/data/synthetic_trades.jsonl`;
    const bytes = await Deno.readFile(file);
    // The same market, pairs in either order: continued.
    const again = await openDemoMarket({ ...cfg, pairs: [...PAIRS].reverse() }, silent);
    assertEquals([again.book.firstTs, again.book.lastTs], [first.book.firstTs, first.book.lastTs]);
    const longer = await assertRejects(() => openDemoMarket({ ...cfg, minutes: 600 }, silent), ConfigError);
    assertEquals(
      longer.message,
      `--data-dir ${dir}/data holds a SYNTHETIC market of 150 minutes of BTC/USD,ETH/USD (${file}), not the ` +
        "--minutes 600 of --pairs BTC/USD,ETH/USD asked for: repeat that run's flags to continue it, or give " +
        "another --data-dir for a new market",
    );
    const fewer = await assertRejects(
      () => openDemoMarket({ ...cfg, pairs: ["BTC/USD"] }, silent),
      ConfigError,
    );
    assert(fewer.message.includes("not the --minutes 150 of --pairs BTC/USD asked for"), fewer.message);
    assertEquals(await Deno.readFile(file), bytes);
  });
});

Deno.test("demo over a data dir holding another synthetic market exits 2 with one line naming --data-dir", async () => {
  await withTempDir(async (dir) => {
    await openDemoMarket({ dataDir: `${dir}/data`, pairs: PAIRS, minutes: 150 }, silent);
    const args = [
      "--port",
      "0",
      "--minutes",
      "200",
      "--data-dir",
      `${dir}/data`,
      "--models-dir",
      `${dir}/models`,
    ];
    const child = runPipeline("demo", args, dir);
    // Replaying the old market instead would run until stopped.
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const { code, stderr } = await output(child).finally(() => clearTimeout(timer));
    assertEquals(code, 2, stderr.slice(-2000));
    assert(
      stderr.trim().startsWith(`error: --data-dir ${dir}/data holds a SYNTHETIC market of 150 minutes`),
      stderr,
    );
    assertEquals(stderr.trim().split("\n").length, 1, stderr);
  });
});

Deno.test("a demo data dir holding one regime's synthetic market refuses another --regime-change, generating nothing", async () => {
  await withTempDir(async (dir) => {
    const data = `${dir}/data`;
    const cfg = { dataDir: data, pairs: PAIRS, minutes: 150 };
    await openDemoMarket(cfg, silent);
    const names = () => [...Deno.readDirSync(data)].map((e) => e.name).sort();
    const before = names();
    const e = await assertRejects(
      () => openDemoMarket({ ...cfg, regimeChangeMs: 100 * 60_000 }, silent),
      ConfigError,
    );
    assertEquals(
      e.message,
      `--data-dir ${data} holds another SYNTHETIC market (${data}/synthetic_trades.jsonl), not ` +
        `${data}/synthetic_trades_regime_change_100m.jsonl (another --regime-change): repeat that run's flags to ` +
        "continue it, or give another --data-dir for a new market",
    );
    assertEquals(names(), before);
    // And the other way round: a regime's data dir refuses the plain market.
    const other = `${dir}/other`;
    await openDemoMarket({ ...cfg, dataDir: other, regimeChangeMs: 100 * 60_000 }, silent);
    await assertRejects(() => openDemoMarket({ ...cfg, dataDir: other }, silent), ConfigError);
    await openDemoMarket({ ...cfg, dataDir: other, regimeChangeMs: 100 * 60_000 }, silent);
  });
});
