/**
 * The feature pipeline's speed: trades through the candle reducer alone and through the full
 * ingest (candles, indicators, both stores) from an in-memory array and from a JSONL file, each
 * beside a bare loop over the same trades that only sums prices (the floor); memory over a
 * 10-million-trade replay; indicator cost per candle, beside TA-Lib recomputing them per candle.
 */
import type { Trade } from "../src/domain/trade.ts";
import { tradeToJsonLine } from "../src/domain/trade.ts";
import type { Candle } from "../src/domain/candle.ts";
import { initialCandleState, stepCandles } from "../src/transforms/candles.ts";
import { IndicatorSet } from "../src/transforms/indicators.ts";
import { openFeatureStores } from "../src/stores/feature_stores.ts";
import { cut } from "../src/stages/cut.ts";
import { dedupe } from "../src/stages/dedupe.ts";
import { candles } from "../src/stages/candles.ts";
import { indicators } from "../src/stages/indicators.ts";
import { persist } from "../src/stages/persist.ts";
import { tradeFile } from "../src/sources/files/trade_file.ts";
import type { BenchResult } from "./ws_frames.ts";
import { talibResult } from "./anchors/talib.ts";

const PAIRS = ["BTC/USD", "ETH/USD"];

/** Deterministic trades: two pairs interleaved, about 20 trades a second of exchange time. */
function* trades(n: number, seed = 1): Generator<Trade> {
  let a = seed;
  const rnd = () => {
    a = (a * 1_103_515_245 + 12_345) % 2_147_483_648;
    return a / 2_147_483_648;
  };
  let ts = Date.UTC(2024, 0, 1);
  const price = [60_000, 3_000];
  for (let i = 0; i < n; i++) {
    ts += Math.floor(rnd() * 100);
    const p = i & 1;
    price[p] = Math.round((price[p] as number) * (1 + (rnd() - 0.5) * 0.0005) * 100) / 100;
    yield {
      pair: PAIRS[p] as string,
      price: price[p] as number,
      qty: 0.001 + rnd(),
      side: rnd() > 0.5 ? "buy" : "sell",
      ts,
      trade_id: i,
    };
  }
}

function floor(list: readonly Trade[]): number {
  const t0 = performance.now();
  let sum = 0;
  for (let i = 0; i < list.length; i++) sum += (list[i] as Trade).price;
  const s = (performance.now() - t0) / 1000;
  if (sum < 0) console.log(sum);
  return list.length / s;
}

async function fullIngest(
  source: ReadableStream<Trade>,
  dataDir: string,
): Promise<{ seconds: number; rows: number }> {
  const stores = await openFeatureStores(dataDir);
  const state = initialCandleState({ windows: ["1m", "5m"], graceMs: 5000 });
  let rows = 0;
  const t0 = performance.now();
  try {
    await source.pipeThrough(cut({ size: 20_000, ms: 1000 })).pipeThrough(dedupe())
      .pipeThrough(candles(state)).pipeThrough(indicators())
      .pipeTo(persist({ stores, onFlush: (batch) => rows += batch.rows.length }));
  } finally {
    stores.close();
  }
  return { seconds: (performance.now() - t0) / 1000, rows };
}

const mb = (bytes: number) => bytes / 1024 / 1024;

/**
 * 10 million trades generated on the fly through the full ingest, before anything else allocates,
 * with RSS sampled every million: flat means no growth with the number of trades.
 */
async function replayMemory(): Promise<BenchResult> {
  const dir = await Deno.makeTempDir({ prefix: "bench-replay-" });
  const TEN_M = 10_000_000;
  const samples: number[] = [];
  const heap: number[] = [];
  let seen = 0;
  const gen = trades(TEN_M, 7);
  const replay = new ReadableStream<Trade>({
    pull(c) {
      for (let i = 0; i < 10_000; i++) {
        const r = gen.next();
        if (r.done) return c.close();
        c.enqueue(r.value);
      }
      seen += 10_000;
      if (seen % 1_000_000 === 0) {
        const m = Deno.memoryUsage();
        samples.push(m.rss);
        heap.push(m.heapUsed);
      }
    },
  }, { highWaterMark: 0 });
  try {
    const big = await fullIngest(replay, dir);
    const peak = Math.max(...samples);
    const at2m = samples[1] as number;
    console.log(
      `  10M-trade replay: ${big.rows} rows in ${big.seconds.toFixed(1)} s (${
        Math.round(TEN_M / big.seconds).toLocaleString("en-US")
      } trades/s); ` +
        `RSS per million trades: ${samples.map((r) => mb(r).toFixed(0)).join(", ")} MB; ` +
        `JS heap: ${heap.map((r) => mb(r).toFixed(0)).join(", ")} MB`,
    );
    return {
      name: "peak RSS over a 10M-trade replay (full ingest)",
      value: mb(peak),
      unit: "MB",
      reference: "RSS after the first 2M trades",
      referenceValue: mb(at2m),
      ratio: peak / at2m,
      target: "flat: peak <= 1.25x RSS at 2M",
      pass: peak <= 1.25 * at2m,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

export async function benchFeatures(): Promise<BenchResult[]> {
  const memory = await replayMemory();
  const results: BenchResult[] = [];
  const N = 2_000_000;
  const list = [...trades(N)];
  floor(list);
  const floorRate = floor(list);

  // Candles alone (1m and 5m), best of three runs.
  let candleRate = 0;
  for (let r = 0; r < 3; r++) {
    const state = initialCandleState({ windows: ["1m", "5m"], graceMs: 5000 });
    const t0 = performance.now();
    let closed = 0;
    for (let i = 0; i < list.length; i++) closed += stepCandles(state, list[i] as Trade).length;
    candleRate = Math.max(candleRate, list.length / ((performance.now() - t0) / 1000));
    if (closed === 0) throw new Error("no candles");
  }
  results.push({
    name: "trades through the candle reducer (1m+5m)",
    value: candleRate,
    unit: "trades/s",
    reference: "bare loop summing prices",
    referenceValue: floorRate,
    ratio: candleRate / floorRate,
    target: ">= 1,000,000 trades/s",
    pass: candleRate >= 1_000_000,
  });

  const dir = await Deno.makeTempDir({ prefix: "bench-features-" });
  try {
    const fromArray = await fullIngest(ReadableStream.from(list), `${dir}/array`);
    const arrayRate = N / fromArray.seconds;
    console.log(
      `  full ingest from memory: ${N.toLocaleString("en-US")} trades → ${fromArray.rows} rows in ${
        fromArray.seconds.toFixed(2)
      } s`,
    );
    results.push({
      name: "full ingest into both stores, from memory",
      value: arrayRate,
      unit: "trades/s",
      reference: "bare loop summing prices",
      referenceValue: floorRate,
      ratio: arrayRate / floorRate,
      target: ">= 200,000 trades/s",
      pass: arrayRate >= 200_000,
    });

    const F = 1_000_000;
    const path = `${dir}/trades.jsonl`;
    const file = await Deno.open(path, { write: true, create: true });
    const enc = new TextEncoder();
    let chunk = "";
    for (const t of list.slice(0, F)) {
      chunk += tradeToJsonLine(t) + "\n";
      if (chunk.length > 1 << 20) {
        await file.write(enc.encode(chunk));
        chunk = "";
      }
    }
    await file.write(enc.encode(chunk));
    file.close();
    const fromFile = await fullIngest((await tradeFile(path)).stream, `${dir}/file`);
    const fileRate = F / fromFile.seconds;
    console.log(
      `  full ingest from a JSONL file: ${F.toLocaleString("en-US")} trades → ${fromFile.rows} rows in ${
        fromFile.seconds.toFixed(2)
      } s`,
    );
    results.push({
      name: "full ingest into both stores, from a JSONL file",
      value: fileRate,
      unit: "trades/s",
      reference: "bare loop summing prices",
      referenceValue: floorRate,
      ratio: fileRate / floorRate,
      target: ">= 200,000 trades/s",
      pass: fileRate >= 200_000,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }

  // Indicators: every column of a series, per candle.
  const candles: Candle[] = [];
  const cs = initialCandleState({ windows: ["1m"], graceMs: 0 });
  for (const t of list) if (t.pair === "BTC/USD") candles.push(...stepCandles(cs, t));
  const reps = Math.ceil(200_000 / candles.length);
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let k = 0; k < reps; k++) {
      const set = new IndicatorSet();
      for (const c of candles) set.add(c);
    }
    best = Math.min(best, (performance.now() - t0) * 1000 / (reps * candles.length));
  }
  results.push({
    name: "indicator set update (28 columns)",
    value: best,
    unit: "µs/candle",
    reference: "one 1m candle of time",
    referenceValue: 60e6,
    ratio: best / 60e6,
    target: "informational",
    pass: true,
  });
  const talib = await talibResult(best, candles);
  if (talib) results.push(talib);
  results.push(memory);
  return results;
}
