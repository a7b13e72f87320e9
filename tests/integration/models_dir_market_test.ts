/**
 * One market per models dir under `start` and `demo`: they serve a models dir's promoted models at
 * once, so a model trained on one market (the demo's synthetic one) must not predict another's
 * candles. The first run records the market in `market.json`; a run on another refuses with one
 * line naming `--models-dir` and exits 2.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { output, withTempDir } from "../task_process.ts";
import { ConfigError } from "../../src/config.ts";
import { claimModelsMarket, exchangeMarket, replayMarket } from "../../src/stores/market_file.ts";
import { syntheticTrades } from "../../src/sim/synthetic.ts";
import { tradeToJsonLine } from "../../src/domain/trade.ts";
import { runPipeline } from "../helpers.ts";

const KRAKEN = exchangeMarket("https://api.kraken.com", "wss://ws.kraken.com/v2");

Deno.test("claimModelsMarket records a models dir's market, continues it, and refuses another's in one line", async () => {
  await withTempDir(async (dir) => {
    const models = `${dir}/models`;
    const synthetic = replayMarket(`${dir}/data/synthetic_trades.jsonl`, true);
    await claimModelsMarket(models, synthetic);
    // The same file named another way is the same market.
    await claimModelsMarket(models, replayMarket(`${dir}/./data/synthetic_trades.jsonl`, true));
    const e = await assertRejects(() => claimModelsMarket(models, KRAKEN), ConfigError);
    assertEquals(
      e.message,
      `--models-dir ${models} holds the models of the simulator replaying a SYNTHETIC market ` +
        `(${dir}/data/synthetic_trades.jsonl), not of Kraken (wss://ws.kraken.com/v2), as ${models}/market.json ` +
        "records: give this task another --models-dir",
    );
    // Every synthetic market is one market to its data dir, but another data dir's is another's models.
    await assertRejects(
      () => claimModelsMarket(models, replayMarket(`${dir}/other/synthetic_trades.jsonl`, true)),
      ConfigError,
    );
    const record = JSON.parse(await Deno.readTextFile(`${models}/market.json`));
    assertEquals(record.id, `replay synthetic ${dir}/data/synthetic_trades.jsonl`);
  });
});

Deno.test("demo replaying a file with the models dir of a synthetic market exits 2 with one line naming --models-dir", async () => {
  await withTempDir(async (dir) => {
    await claimModelsMarket(`${dir}/models`, replayMarket(`${dir}/demo/synthetic_trades.jsonl`, true));
    const file = `${dir}/trades.jsonl`;
    const trades = syntheticTrades({ pairs: ["BTC/USD"], start: Date.UTC(2019, 6, 1), minutes: 120 });
    await Deno.writeTextFile(file, trades.map(tradeToJsonLine).join("\n") + "\n");
    const args = ["--file", file, "--history", "30m", "--port", "0"];
    args.push("--data-dir", `${dir}/data`, "--models-dir", `${dir}/models`);
    const child = runPipeline("demo", args, dir);
    // Serving the synthetic market's models instead would run until stopped.
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const { code, stderr } = await output(child).finally(() => clearTimeout(timer));
    assertEquals(code, 2, stderr.slice(-2000));
    const last = stderr.trim().split("\n").at(-1)!;
    assert(
      last.startsWith(
        `error: --models-dir ${dir}/models holds the models of the simulator replaying a SYNTHETIC`,
      ),
      last,
    );
    assert(last.endsWith("give this task another --models-dir"), last);
  });
});
