/**
 * Two backfills of adjacent ranges into one store: the second starts its series afresh, so it
 * warns where it cut the first; the same range loaded again, whole, does not.
 */
import { assert, assertEquals } from "../assert.ts";
import { burstyTrades, runPipeline } from "../helpers.ts";
import { withTempDir } from "../task_process.ts";
import { tradeToJsonLine } from "../../src/domain/trade.ts";

async function backfill(dir: string, extra: string[]): Promise<string> {
  const out = await runPipeline("backfill", [
    "--file",
    "t.jsonl",
    "--format",
    "trades-jsonl",
    "--windows",
    "1m",
    "--data-dir",
    "data",
    ...extra,
  ], dir).output();
  const log = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, log);
  return log;
}

Deno.test("a backfill that begins inside a series the store holds warns where it cut it", async () => {
  await withTempDir(async (dir) => {
    const trades = burstyTrades(60).map((t, i) => ({ ...t, trade_id: i + 1 }));
    await Deno.writeTextFile(`${dir}/t.jsonl`, trades.map(tradeToJsonLine).join("\n") + "\n");
    const mid = new Date(Date.UTC(2024, 0, 1, 0, 30, 30)).toISOString();
    const first = await backfill(dir, ["--to", mid]);
    assert(!first.includes("warm-up rows"), first);
    const second = await backfill(dir, ["--from", mid]);
    assert(
      second.includes("BTC/USD 1m: this run's rows start at 2024-01-01T00:30:00.000Z") &&
        second.includes("now holds only this run's trades"),
      second,
    );
    const whole = await backfill(dir, []);
    assert(!whole.includes("warm-up rows"), `the whole range again cuts nothing:\n${whole}`);
  });
});

Deno.test("a candle-file backfill that begins where the store's series ended warns of the seam; the whole file again does not", async () => {
  await withTempDir(async (dir) => {
    const start = Date.UTC(2024, 0, 1) / 1000;
    const lines = Array.from({ length: 120 }, (_, m) => {
      const open = 100 + Math.sin(m / 7), close = 100 + Math.sin((m + 1) / 7);
      return `${start + m * 60},${open},${Math.max(open, close) + 0.1},${
        Math.min(open, close) - 0.1
      },${close},1.5,3`;
    });
    await Deno.writeTextFile(`${dir}/first.csv`, lines.slice(0, 60).join("\n") + "\n");
    await Deno.writeTextFile(`${dir}/second.csv`, lines.slice(60).join("\n") + "\n");
    await Deno.writeTextFile(`${dir}/whole.csv`, lines.join("\n") + "\n");
    const load = async (file: string) => {
      const out = await runPipeline("backfill", [
        "--file",
        file,
        "--format",
        "kraken-ohlcvt",
        "--pairs",
        "BTC/USD",
        "--windows",
        "1m,5m",
        "--data-dir",
        "data",
      ], dir).output();
      const log = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, log);
      return log;
    };
    assert(!(await load("first.csv")).includes("warm-up rows"));
    const second = await load("second.csv");
    for (const window of ["1m", "5m"]) {
      assert(second.includes(`BTC/USD ${window}: this run's rows start at 2024-01-01T01:00:00.000Z`), second);
    }
    const whole = await load("whole.csv");
    assert(!whole.includes("warm-up rows"), `the whole file again cuts nothing:\n${whole}`);
  });
});
