/**
 * The feature pipeline end to end: the same trades live through the simulator and from a file give
 * byte-identical feature tables; a backfill killed mid-stream and resumed gives the table of an
 * uninterrupted run; replays are idempotent; candle files enter at the candle stage.
 */
import { assert, assertEquals } from "../assert.ts";
import {
  assertOnlineHasOfflineNewest,
  burstyTrades,
  hasSharedData,
  runPipeline,
  sharedFile,
  syntheticTrades,
  withSim,
} from "../helpers.ts";
import type { Trade } from "../../src/domain/trade.ts";
import { tradeToJsonLine } from "../../src/domain/trade.ts";
import { tradeFile } from "../../src/sources/files/trade_file.ts";
import { KrakenRest } from "../../src/sources/kraken/rest_client.ts";
import { liveTrades } from "../../src/sources/kraken/live_trades.ts";
import { openFeatureStores } from "../../src/stores/feature_stores.ts";
import { DuckDbFeatureStore } from "../../src/stores/offline_duckdb.ts";
import { CSV_HEADER, rowToCsv } from "../../src/stores/feature_export.ts";
import { candles, cut, dedupe, indicators, persist } from "../../src/stages/mod.ts";
import { initialCandleState } from "../../src/transforms/candles.ts";
import type { Window } from "../../src/domain/candle.ts";

async function exportCsv(dataDir: string, pair: string, window: Window): Promise<string> {
  const store = await DuckDbFeatureStore.open(`${dataDir}/offline.duckdb`, { readOnly: true });
  try {
    return [CSV_HEADER, ...(await store.range(pair, window)).map(rowToCsv)].join("\n");
  } finally {
    store.close();
  }
}

async function intoStores(dataDir: string, stream: ReadableStream<Trade>): Promise<void> {
  const stores = await openFeatureStores(dataDir);
  const state = initialCandleState({ windows: ["1m", "5m"], graceMs: 2000 });
  try {
    await stream.pipeThrough(cut()).pipeThrough(dedupe()).pipeThrough(candles(state)).pipeThrough(
      indicators(),
    )
      .pipeTo(persist({ stores }));
  } finally {
    stores.close();
  }
}

async function writeJsonl(path: string, trades: Trade[]): Promise<void> {
  await Deno.writeTextFile(path, trades.map(tradeToJsonLine).join("\n") + "\n");
}

Deno.test("the same trades live through the simulator and from a file give byte-identical feature tables", async () => {
  const dir = await Deno.makeTempDir();
  const trades = burstyTrades(90);
  await writeJsonl(`${dir}/trades.jsonl`, trades);
  await intoStores(`${dir}/file`, (await tradeFile(`${dir}/trades.jsonl`)).stream);
  await withSim(
    trades,
    { speed: 1200, dropEverySec: 0.8, malformedEvery: 9, heartbeatMs: 100 },
    async (sim, book) => {
      const controller = new AbortController();
      const live = liveTrades({
        pairs: ["BTC/USD"],
        rest: new KrakenRest({ baseUrl: sim.restUrl, rate: 100 }),
        wsUrl: sim.wsUrl,
        cursors: new Map([["BTC/USD", { ts: book.firstTs - 1, tradeId: null }]]),
        reconnect: { baseMs: 10, maxMs: 100 },
        signal: controller.signal,
      });
      // Read until every trade came, then end the stream so the sink closes the last windows.
      const reader = live.stream.getReader();
      const got: Trade[] = [];
      const readable = new ReadableStream<Trade>({
        async pull(c) {
          if (got.length >= trades.length) {
            controller.abort();
            c.close();
            return;
          }
          const r = await reader.read();
          if (r.done) return c.close();
          got.push(r.value);
          c.enqueue(r.value);
        },
      });
      await intoStores(`${dir}/live`, readable);
      assert(sim.stats.drops > 0 && live.stats.connections > 1, "the live run went through reconnections");
    },
  );
  for (const w of ["1m", "5m"] as const) {
    const file = await exportCsv(`${dir}/file`, "BTC/USD", w);
    const live = await exportCsv(`${dir}/live`, "BTC/USD", w);
    assertEquals(live, file, `${w} tables`);
  }
  // The stages alone, read as a stream, give the rows the stores hold.
  const batches = await Array.fromAsync(
    ReadableStream.from(trades).pipeThrough(cut()).pipeThrough(
      candles(initialCandleState({ windows: ["1m", "5m"], graceMs: 2000 })),
    ).pipeThrough(indicators()),
  );
  const streamed = batches.flatMap((b) => b.rows);
  assertEquals(
    [CSV_HEADER, ...streamed.filter((r) => r.window === "1m").map(rowToCsv)].join("\n"),
    await exportCsv(`${dir}/file`, "BTC/USD", "1m"),
  );
  const ones = (await exportCsv(`${dir}/file`, "BTC/USD", "1m")).split("\n").slice(1);
  assertEquals(ones.length, 90);
  assert(ones.some((l) => l.split(",")[10] === "0"), "quiet minutes are flat candles with 0 trades");
  await Deno.remove(dir, { recursive: true });
});

const backfill = (args: string[], cwd: string) => runPipeline("backfill", args, cwd);

Deno.test("a backfill killed mid-stream and resumed writes the same feature table as an uninterrupted one", async () => {
  const dir = await Deno.makeTempDir();
  const trades = burstyTrades(400, { seed: 9 });
  await withSim(trades, { speed: 1e9 }, async (sim, book) => {
    const args = [
      "--rest-url",
      sim.restUrl,
      "--pairs",
      "BTC/USD",
      "--from",
      new Date(book.firstTs).toISOString(),
      "--to",
      new Date(book.lastTs + 1).toISOString(),
      "--windows",
      "1m,5m,15m",
    ];
    const whole = await backfill([...args, "--data-dir", "whole", "--rest-rate", "100"], dir).output();
    assertEquals(whole.code, 0, new TextDecoder().decode(whole.stderr));

    const killed = backfill([...args, "--data-dir", "resumed", "--rest-rate", "3"], dir);
    const checkpoints = `${dir}/resumed/checkpoints`;
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const names = (await Array.fromAsync(Deno.readDir(checkpoints)).catch(() => []))
        .filter((e) => e.name.endsWith(".json"));
      if (names.length > 0) {
        // The file is replaced by rename, so a read sees a whole checkpoint or (between the two) none.
        const text = await Deno.readTextFile(`${checkpoints}/${names[0]?.name}`).catch(() => "{}");
        if ((JSON.parse(text).pairs?.["BTC/USD"]?.trades ?? 0) >= 1000) break;
      }
    }
    killed.kill("SIGKILL");
    await killed.output();
    const resumed = await backfill([...args, "--data-dir", "resumed", "--rest-rate", "100"], dir).output();
    const log = new TextDecoder().decode(resumed.stderr);
    assertEquals(resumed.code, 0, log);
    assert(log.includes("resuming from"), log);
  });
  for (const w of ["1m", "5m", "15m"] as const) {
    assertEquals(
      await exportCsv(`${dir}/resumed`, "BTC/USD", w),
      await exportCsv(`${dir}/whole`, "BTC/USD", w),
      w,
    );
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("backfilling the same file twice leaves one identical row per key", async () => {
  const dir = await Deno.makeTempDir();
  await writeJsonl(`${dir}/t.jsonl`, burstyTrades(60, { seed: 3 }));
  const run = async () => {
    const r = await backfill(["--file", "t.jsonl", "--windows", "1m,5m"], dir).output();
    assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
    return await exportCsv(`${dir}/data`, "BTC/USD", "1m");
  };
  const first = await run();
  assertEquals(await run(), first);
  assertEquals(first.split("\n").length, 1 + 59, "minutes 0..58: the last minute is a quiet one");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Ctrl-C stops a trade-file backfill after the batch being written, and the online store holds what the offline one does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Long enough to be still reading when the first batch is written (about 2 s here).
    const trades = syntheticTrades(1_500_000, { pairs: ["BTC/USD", "ETH/USD"], spanMs: 30 * 86_400_000 });
    await writeJsonl(`${dir}/t.jsonl`, trades);
    const child = backfill(["--file", "t.jsonl", "--windows", "1m,5m"], dir);
    const err: string[] = [];
    const decoder = new TextDecoder();
    const reader = child.stderr.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      err.push(decoder.decode(value));
      if (/backfill: line/.test(err.join(""))) break;
    }
    child.kill("SIGINT");
    const drained = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        err.push(decoder.decode(value));
      }
    })();
    const status = await child.status;
    await drained;
    await child.stdout.cancel();
    const log = err.join("");
    assertEquals(status.code, 130, log);
    const stopped = /interrupted after ([\d,]+) trades/.exec(log);
    assert(stopped, log);
    const read = Number(stopped[1]!.replaceAll(",", ""));
    assert(read > 0 && read < trades.length, `${read} trades`);
    await assertOnlineHasOfflineNewest(`${dir}/data`, ["BTC/USD", "ETH/USD"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a Kraken OHLCVT file loads at the candle stage, with bigger windows merged from it", async () => {
  const dir = await Deno.makeTempDir();
  const start = Date.UTC(2024, 0, 1) / 1000;
  const lines = [0, 1, 2, 4, 5, 6, 7, 8, 9].map((m) =>
    `${start + m * 60},${100 + m},${102 + m},${99 + m},${101 + m},2.5,4`
  );
  await Deno.writeTextFile(`${dir}/XBTUSD_1.csv`, lines.join("\n") + "\n");
  const r = await backfill([
    "--file",
    "XBTUSD_1.csv",
    "--format",
    "kraken-ohlcvt",
    "--pairs",
    "BTC/USD",
    "--windows",
    "1m,5m",
  ], dir)
    .output();
  assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
  const ones = (await exportCsv(`${dir}/data`, "BTC/USD", "1m")).split("\n").slice(1).map((l) =>
    l.split(",")
  );
  assertEquals(ones.length, 10, "the missing minute is a flat candle");
  assertEquals([ones[3]?.[4], ones[3]?.[7], ones[3]?.[8], ones[3]?.[10]], ["103", "103", "0", "0"]);
  const fives = (await exportCsv(`${dir}/data`, "BTC/USD", "5m")).split("\n").slice(1).map((l) =>
    l.split(",")
  );
  assertEquals(fives.map((f) => [f[4], f[5], f[6], f[7], f[8], f[10]]), [
    ["100", "106", "99", "105", "10", "16"],
    ["105", "111", "104", "110", "12.5", "20"],
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "the real REST OHLC 1m file (kraken-ohlc layout) loads in full, each candle equal to its row",
  ignore: !hasSharedData(),
  async fn() {
    // Kraken's 5m file beside it was polled separately and does not agree with the 1m one (e.g. at
    // 23:10 on 2020-04-24 its trade count is 38 where the five 1m rows add up to 24), so the 1m
    // rows are the reference here.
    const dir = await Deno.makeTempDir();
    const path = sharedFile("kraken/rest_ohlc_XXBTZUSD_1m_2020-04_05.csv");
    const r = await backfill(["--file", path, "--pairs", "BTC/USD", "--windows", "1m,5m"], dir).output();
    assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
    const ours = (await exportCsv(`${dir}/data`, "BTC/USD", "1m")).split("\n").slice(1).map((l) =>
      l.split(",")
    );
    const rows = (await Deno.readTextFile(path)).trim().split("\n").slice(1).map((l) => l.split(","));
    assertEquals(ours.length, 9_282);
    assertEquals(ours.length, rows.length);
    for (const [i, k] of rows.entries()) {
      const o = ours[i] as string[];
      assertEquals(Number(o[2]), Number(k[0]) * 1000);
      // open, high, low, close, volume, trades
      for (const [ki, oi] of [[2, 4], [3, 5], [4, 6], [5, 7], [7, 8], [8, 10]] as const) {
        assertEquals(Number(o[oi]), Number(k[ki]));
      }
      // vwap; Kraken writes 0 for an empty minute, where the system uses the close
      assertEquals(Number(o[9]), Number(k[8]) === 0 ? Number(k[5]) : Number(k[6]));
    }
    const fives = (await exportCsv(`${dir}/data`, "BTC/USD", "5m")).split("\n").slice(1);
    assert(fives.length >= 1_850, `${fives.length} five-minute rows`);
    await Deno.remove(dir, { recursive: true });
  },
});
