/**
 * `ingest` predicts live rows only: the REST history it catches up through is stored in batches, and
 * the last batch is written just after the source turns live, yet none of its rows gets a prediction.
 */
import { assert, assertEquals } from "../assert.ts";
import { runPipeline, withSim } from "../helpers.ts";
import { syntheticTrades } from "../../src/sim/synthetic.ts";
import { KvPredictionStore } from "../../src/stores/prediction_store.ts";

Deno.test("ingest: rows of the REST history get no prediction, rows closed live do", async () => {
  const dir = await Deno.makeTempDir();
  const trades = syntheticTrades({ pairs: ["BTC/USD"], start: Date.UTC(2024, 0, 1), minutes: 130 });
  const historyEnd = trades[0]!.ts + 120 * 60_000;
  try {
    await withSim(trades, { speed: 20, startAt: historyEnd }, async (sim) => {
      const child = runPipeline("ingest", [
        "--pairs",
        "BTC/USD",
        "--ws-url",
        sim.wsUrl,
        "--rest-url",
        sim.restUrl,
        "--from",
        String(trades[0]!.ts),
        "--data-dir",
        `${dir}/data`,
        "--models-dir",
        `${dir}/models`,
      ], dir);
      const out = child.output();
      // Three live minutes at 20x.
      await new Promise((r) => setTimeout(r, 12_000));
      child.kill("SIGINT");
      const { code, stderr } = await out;
      assertEquals(code, 0, new TextDecoder().decode(stderr).slice(-3000));
    });
    const kv = await Deno.openKv(`${dir}/data/online.kv`);
    try {
      const made = (await new KvPredictionStore(kv).recent("BTC/USD", "1m", 1000)).map((p) => p.made_at);
      assert(made.length >= 2, `${made.length} live predictions`);
      const early = made.filter((t) => t <= historyEnd).map((t) => new Date(t).toISOString());
      assertEquals(early, [], `predicted before the history's end (${new Date(historyEnd).toISOString()})`);
    } finally {
      kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
