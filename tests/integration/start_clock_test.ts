/**
 * `start` pointed at the simulator replaying a market from the past: it runs on this machine's
 * clock, so it says, once live, that the exchange's trades are far behind it and that nothing will
 * be predicted, instead of a status line that reads as if all were well.
 */
import { assert, assertEquals } from "../assert.ts";
import { syntheticTrades } from "../../src/sim/synthetic.ts";
import { closedPort, readUntil, withTempDir } from "../task_process.ts";
import { runPipeline, withSim } from "../helpers.ts";

Deno.test("start against a replay of 2024 says its trades are behind this machine's clock, and stops cleanly", async () => {
  await withTempDir(async (dir) => {
    const trades = syntheticTrades({ pairs: ["BTC/USD"], start: Date.UTC(2024, 0, 1), minutes: 30 });
    await withSim(trades, { speed: 60 }, async (sim) => {
      const args = ["--pairs", "BTC/USD", "--port", String(closedPort()), "--ws-url", sim.wsUrl];
      args.push("--rest-url", sim.restUrl, "--data-dir", `${dir}/data`, "--models-dir", `${dir}/models`);
      const child = runPipeline("start", args, dir, { LOG_FORMAT: "text" });
      const [mine, rest] = child.stderr.tee();
      let log = "";
      try {
        log = await readUntil(mine, (t) => t.includes("behind this machine's clock"), 60_000);
      } finally {
        child.kill("SIGINT");
      }
      const { code } = await child.status;
      log += await new Response(rest).text().then((all) => all.slice(log.length));
      await child.stdout.cancel();
      assertEquals(code, 0, log.slice(-2000));
      const line = log.split("\n").find((l) => l.includes("behind this machine's clock"))!;
      assert(line.includes("the exchange's newest trade (2024-01-01T00:"), line);
      assert(line.includes("none is predicted") && line.includes("deno task demo"), line);
      assertEquals(log.split("\n").filter((l) => l.includes("behind this machine's clock")).length, 1, log);
    });
  });
});
