/**
 * A kraken-trades file (`unix_time,price,volume`) names no pair: every task that reads one reads it
 * as the first of `--pairs`, and says so when `--pairs` names more.
 */
import { assert, assertEquals } from "../assert.ts";
import { runPipeline } from "../helpers.ts";
import { openDemoMarket } from "../../src/system/demo_market.ts";
import { output, readUntil, withTempDir } from "../task_process.ts";

const KRAKEN_TRADES = "1561939203,30000.1,0.5\n1561939263,30001.2,0.1\n";
const SAID = "a kraken-trades file names no pair; its trades are read as ETH/USD";

Deno.test("a demo of a kraken-trades file with several --pairs says which pair it reads the file as", async () => {
  await withTempDir(async (dir) => {
    const warnings: string[] = [];
    const quiet = () => {};
    const log = { debug: quiet, info: quiet, warn: (m: string) => warnings.push(m), error: quiet };
    await Deno.writeTextFile(`${dir}/t.csv`, KRAKEN_TRADES);
    const cfg = { dataDir: `${dir}/d`, file: `${dir}/t.csv`, minutes: 120 };
    const { book } = await openDemoMarket({ ...cfg, pairs: ["ETH/USD", "BTC/USD"] }, log);
    assertEquals([book.pairs, warnings], [["ETH/USD"], [SAID]]);
    warnings.length = 0;
    await openDemoMarket({ ...cfg, pairs: ["ETH/USD"] }, log);
    assertEquals(warnings, []);
  });
});

Deno.test("sim and backfill of a kraken-trades file with several --pairs say which pair they read it as", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/t.csv`, KRAKEN_TRADES);
    const pairs = ["--file", "t.csv", "--pairs", "ETH/USD,BTC/USD"];
    const sim = runPipeline("sim", [...pairs, "--port", "0"], dir, { LOG_FORMAT: "text" });
    const log = await readUntil(sim.stderr, (t) => t.includes("replaying"), 20_000);
    sim.kill("SIGINT");
    await sim.status;
    await sim.stderr.cancel();
    assert(log.includes(SAID), log);
    assert(log.includes("replaying 2 trades of ETH/USD"), log);
    const backfill = await output(
      runPipeline("backfill", [...pairs, "--data-dir", "d"], dir, { LOG_FORMAT: "text" }),
    );
    assertEquals(backfill.code, 0, backfill.stderr);
    assert(backfill.stderr.includes(SAID), backfill.stderr);
  });
});
