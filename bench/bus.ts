/**
 * The pipeline over Kafka: trades/s through the trades → candles stages on a real broker (producer
 * batching on), beside the embedded candle reducer on the same input in the same run; and the
 * end-to-end latency from a trade being produced to the feature row it completes being stored, at
 * about 1,000 trades/s. Uses `KAFKA_BROKERS`, or starts the local broker from infra/kafka.
 */
import { localBroker } from "./local_broker.ts";
import type { Trade } from "../src/domain/trade.ts";
import type { FeatureRow } from "../src/domain/feature_row.ts";
import { initialCandleState, stepCandles } from "../src/transforms/candles.ts";
import { lag, openBus, startConsumerStages, tradesPublisher } from "../src/bus/bus.ts";
import type { BenchResult } from "./ws_frames.ts";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const PAIRS = ["BTC/USD", "ETH/USD", "SOL/USD", "DOGE/USD"];

function trades(n: number, stepMs: number, start = Date.UTC(2024, 0, 1)): Trade[] {
  return Array.from({ length: n }, (_, i) => ({
    pair: PAIRS[i % PAIRS.length] as string,
    price: 100 + (i % 97) / 10,
    qty: 0.5 + (i % 13) / 10,
    side: i % 3 ? "buy" as const : "sell" as const,
    ts: start + i * stepMs,
    trade_id: Math.floor(i / PAIRS.length) + 1,
  }));
}

const percentile = (xs: number[], p: number) =>
  xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number;

export async function benchBus(): Promise<BenchResult[]> {
  const list = localBroker("bus benchmarks skipped");
  if (list === null) return [];
  const dir = await Deno.makeTempDir({ prefix: "bench-bus-" });
  const results: BenchResult[] = [];
  try {
    // Throughput: 200k trades published, then consumed by the candles stage.
    const N = 200_000;
    const input = trades(N, 50);
    const t0 = performance.now();
    const state = initialCandleState({ windows: ["1m", "5m"], graceMs: 5000 });
    for (const t of input) stepCandles(state, t);
    const embeddedRate = N / ((performance.now() - t0) / 1000);

    const prefix = `bench${Date.now().toString(36)}.`;
    const cfg = {
      brokers: list.split(","),
      topicPrefix: prefix,
      partitions: 3,
      busDeadlineMs: 60_000,
      bus: "kafka" as const,
      stage: "all" as const,
    };
    const bus = await openBus(cfg, quiet);
    const publish = tradesPublisher(bus);
    const started = performance.now();
    for (let i = 0; i < N; i += 20_000) await publish.trades(input.slice(i, i + 20_000));
    const runs = await startConsumerStages(bus, ["candles"], {
      dataDir: `${dir}/tp`,
      windows: ["1m", "5m"],
      graceMs: 5000,
      deadlineMs: 60_000,
      log: quiet,
    });
    while (await lag(bus.admin, `${prefix}candles-stage`, bus.topics.trades) > 0) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const busRate = N / ((performance.now() - started) / 1000);
    await Promise.all(runs.map((r) => r.stop()));
    console.log(
      `  ${N.toLocaleString("en-US")} trades produced (gzip batches) and consumed by the candles stage`,
    );
    results.push({
      name: "trades → candles over Kafka (produce + consume)",
      value: busRate,
      unit: "trades/s",
      reference: "embedded candle reducer, same input",
      referenceValue: embeddedRate,
      ratio: busRate / embeddedRate,
      target: ">= 50,000 trades/s",
      pass: busRate >= 50_000,
    });

    // Latency at ~1,000 trades/s: each trade is 1.5 s of exchange time, so a 1m window closes for every pair each 40 trades.
    const prefix2 = `lat${Date.now().toString(36)}.`;
    const bus2 = await openBus({ ...cfg, topicPrefix: prefix2 }, quiet);
    const producedAt = new Map<string, number>();
    const latencies: number[] = [];
    const stores = {
      upsert(rows: readonly FeatureRow[]) {
        const now = performance.now();
        for (const r of rows) {
          const at = producedAt.get(`${r.pair}|${r.window_end}`);
          if (at !== undefined && r.window === "1m") latencies.push(now - at);
        }
        return Promise.resolve();
      },
      close() {},
    };
    const runs2 = await startConsumerStages(bus2, ["candles", "features"], {
      dataDir: `${dir}/lat`,
      windows: ["1m"],
      graceMs: 0,
      // deno-lint-ignore no-explicit-any
      stores: stores as any,
      deadlineMs: 60_000,
      log: quiet,
    });
    await new Promise((r) => setTimeout(r, 3000));
    const live = trades(12_000, 1500, Date.UTC(2024, 0, 2));
    const pub2 = tradesPublisher(bus2);
    const begin = performance.now();
    for (let i = 0; i < live.length; i += 10) {
      const batch = live.slice(i, i + 10);
      for (const t of batch) {
        // The first trade of a window closes the previous one: the row it completes ends at this window's start.
        const start = t.ts - (t.ts % 60_000);
        if (!producedAt.has(`${t.pair}|${start}`)) producedAt.set(`${t.pair}|${start}`, performance.now());
      }
      await pub2.trades(batch);
      const due = begin + (i + 10);
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await new Promise((r) => setTimeout(r, 2000));
    await Promise.all(runs2.map((r) => r.stop()));
    await bus2.close();
    await bus.close();
    const rate = live.length / ((performance.now() - begin - 2000) / 1000);
    const p50 = percentile(latencies, 0.5), p99 = percentile(latencies, 0.99);
    console.log(
      `  latency: ${latencies.length} feature rows at ${Math.round(rate)} trades/s: p50 ${
        p50.toFixed(1)
      } ms, p99 ${p99.toFixed(1)} ms`,
    );
    results.push({
      name: "trade produced → feature row stored, p99 at ~1,000 trades/s",
      value: p99,
      unit: "ms",
      reference: "p50",
      referenceValue: p50,
      ratio: p99 / Math.max(p50, 1e-9),
      target: "p99 < 250 ms",
      pass: p99 < 250,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return results;
}
